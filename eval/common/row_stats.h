#pragma once

#include <cstdint>

namespace evalq {

// What every likelihood metric needs from one row of logits, in one pass over the vocabulary.
struct RowStats {
  double log_sum_exp = 0;  // log(sum_j exp(logit_j)), computed stably in double
  int64_t argmax = 0;      // first index of the largest logit
};

RowStats row_stats(const float* logits, int64_t vocab);

// log p(token) under softmax(logits), given the row's stats.
inline double log_prob(const float* logits, const RowStats& stats, int64_t token) {
  return static_cast<double>(logits[token]) - stats.log_sum_exp;
}

}  // namespace evalq
