#include "ops/contrib/attention_math.h"

#include <algorithm>
#include <cmath>

namespace evalq {

void softcap_inplace(float* scores, int64_t count, float cap) {
  for (int64_t i = 0; i < count; ++i) scores[i] = cap * std::tanh(scores[i] / cap);
}

void softmax_inplace(float* scores, int64_t count, std::optional<float> sink) {
  if (count <= 0) return;
  float max_score = *std::max_element(scores, scores + count);
  if (sink) max_score = std::max(max_score, *sink);
  float sum = sink ? std::exp(*sink - max_score) : 0.f;
  for (int64_t i = 0; i < count; ++i) {
    scores[i] = std::exp(scores[i] - max_score);
    sum += scores[i];
  }
  const float inv_sum = 1.f / sum;
  for (int64_t i = 0; i < count; ++i) scores[i] *= inv_sum;
}

}  // namespace evalq
