#pragma once

// Rotary position embedding of one head vector, shared by RotaryEmbedding and the fused rotary
// of GroupQueryAttention. Matches ORT's CPU kernel: the first `rotary_dim` elements are rotated
// (pairs (i, i + rotary_dim/2), or adjacent pairs when interleaved), the rest pass through.
#include <cstdint>

namespace evalq {

// `cos_row`/`sin_row` hold rotary_dim / 2 values for the token's position. `in` and `out` must
// not overlap.
void rotate_head(const float* in, float* out, const float* cos_row, const float* sin_row, int64_t rotary_dim,
                 int64_t head_size, bool interleaved);

}  // namespace evalq
