#include "ops/contrib/attention_math.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/gemm.h"
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
  max_score = std::max(max_score, *sink);
  for (int64_t i = 0; i < count; ++i) scores[i] = exp_nonpositive(scores[i] - max_score);
  float sum = row_sum(scores, count);
  sum += std::exp(*sink - max_score);
  const float inv_sum = 1.f / sum;
  for (int64_t i = 0; i < count; ++i) scores[i] *= inv_sum;
}

void attend_heads(int64_t B, int64_t N, int64_t S, int64_t T, int64_t H, int64_t Hv, const float* q, const float* k,
                  const float* v, float scale, const ScoreRowAdjust& adjust_row, float* output) {
  auto attend = [&](int64_t bn) {
    const int64_t b = bn / N, n = bn % N;
    std::vector<float> scores(S * T);
    if (T > 0) {
      sgemm({.trans_b = true, .M = S, .N = T, .K = H, .alpha = scale, .a = q + bn * S * H, .lda = H, .b = k + bn * T * H,
             .ldb = H, .c = scores.data(), .ldc = T});
    }
    for (int64_t s = 0; s < S; ++s) {
      float* row = scores.data() + s * T;
      if (adjust_row) adjust_row(b, n, s, row);
      softmax_inplace(row, T);
    }
    if (T > 0) {
      sgemm({.M = S, .N = Hv, .K = T, .a = scores.data(), .lda = T, .b = v + bn * T * Hv, .ldb = Hv,
             .c = output + b * S * N * Hv + n * Hv, .ldc = N * Hv});
    }
  };
  SerialBlas serial;
  tbb::parallel_for(int64_t{0}, B * N, attend);
}

}  // namespace evalq
