#pragma once

// Row operations of attention scores, shared by the attention kernels. They follow ORT's CPU
// helpers (attention_helper.h): softcap is cap * tanh(x / cap); softmax subtracts the row max and
// multiplies by the reciprocal of the sum.
#include <cstdint>
#include <functional>
#include <optional>

namespace evalq {

void softcap_inplace(float* scores, int64_t count, float cap);

// Softmax of `count` scores in place. With a sink value s (smooth softmax: s = 0; attention
// sinks: one learned s per head) the denominator gains exp(s), i.e. a virtual extra column that
// takes part in the max but gets no output.
void softmax_inplace(float* scores, int64_t count, std::optional<float> sink = std::nullopt);

// Adds masks and biases to the T scores of query row `s` of head `n` in batch `b`, after scaling.
using ScoreRowAdjust = std::function<void(int64_t b, int64_t n, int64_t s, float* row)>;

// Scaled dot-product attention of every (batch, head): q [B, N, S, H], k [B, N, T, H],
// v [B, N, T, Hv]; scores = scale * q.k^T, then adjust_row (may be empty), softmax, times v.
// Writes output [B, S, N * Hv]. One (batch, head) per TBB task, its products single-threaded
// (ops/gemm.h: TBB is the one thread pool).
void attend_heads(int64_t B, int64_t N, int64_t S, int64_t T, int64_t H, int64_t Hv, const float* q, const float* k,
                  const float* v, float scale, const ScoreRowAdjust& adjust_row, float* output);

}  // namespace evalq
