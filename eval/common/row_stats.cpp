#include "common/row_stats.h"

#include <cmath>

namespace evalq {

RowStats row_stats(const float* logits, int64_t vocab) {
  RowStats s;
  float max = logits[0];
  for (int64_t j = 1; j < vocab; ++j) {
    if (logits[j] > max) {
      max = logits[j];
      s.argmax = j;
    }
  }
  double sum = 0;
  for (int64_t j = 0; j < vocab; ++j) sum += std::exp(static_cast<double>(logits[j]) - max);
  s.log_sum_exp = max + std::log(sum);
  return s;
}

}  // namespace evalq
