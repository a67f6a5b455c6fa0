#include "ops/contrib/attention_math.h"

#include <algorithm>
#include <cmath>

#include "ops/vec_math.h"

namespace evalq {

void softcap_inplace(float* scores, int64_t count, float cap) {
  for (int64_t i = 0; i < count; ++i) scores[i] = cap * std::tanh(scores[i] / cap);
}

void softmax_inplace(float* scores, int64_t count, std::optional<float> sink) {
  if (!sink) {
    softmax_row(scores, count);
    return;
  }
  if (count <= 0) return;
  float max_score = row_max(scores, count);
  if (sink) max_score = std::max(max_score, *sink);
  for (int64_t i = 0; i < count; ++i) scores[i] = exp_nonpositive(scores[i] - max_score);
  float sum = row_sum(scores, count);
  if (sink) sum += std::exp(*sink - max_score);
  const float inv_sum = 1.f / sum;
  for (int64_t i = 0; i < count; ++i) scores[i] *= inv_sum;
}

}  // namespace evalq
