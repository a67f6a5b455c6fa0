#include "ops/contrib/attention_math.h"

#include <cblas.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/vec_math.h"

namespace evalq {
namespace {

// OpenBLAS threads an sgemm once m*n*k reaches about this (SMP_THRESHOLD_MIN *
// GEMM_MULTITHREAD_THRESHOLD); below it, its calls can run side by side in TBB tasks.
constexpr int64_t kOpenBlasThreadingFlops = 65536 * 4;

}  // namespace

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

void attend_heads(int64_t B, int64_t N, int64_t S, int64_t T, int64_t H, int64_t Hv, const float* q, const float* k,
                  const float* v, float scale, const ScoreRowAdjust& adjust_row, float* output) {
  auto attend = [&](int64_t bn, bool parallel_rows) {
    const int64_t b = bn / N, n = bn % N;
    std::vector<float> scores(S * T);
    if (T > 0) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S, T, H, scale, q + bn * S * H, H, k + bn * T * H, H, 0.f,
                  scores.data(), T);
    }
    auto normalize_row = [&](int64_t s) {
      float* row = scores.data() + s * T;
      if (adjust_row) adjust_row(b, n, s, row);
      softmax_inplace(row, T);
    };
    if (parallel_rows) {
      tbb::parallel_for(int64_t{0}, S, normalize_row);
    } else {
      for (int64_t s = 0; s < S; ++s) normalize_row(s);
    }
    if (T > 0) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, S, Hv, T, 1.f, scores.data(), T, v + bn * T * Hv, Hv, 0.f,
                  output + b * S * N * Hv + n * Hv, N * Hv);
    }
  };
  if (S * T * std::max(H, Hv) < kOpenBlasThreadingFlops) {
    tbb::parallel_for(int64_t{0}, B * N, [&](int64_t bn) { attend(bn, false); });
  } else {
    for (int64_t bn = 0; bn < B * N; ++bn) attend(bn, true);
  }
}

}  // namespace evalq
