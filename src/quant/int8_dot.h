#pragma once

// The inner loop of MatMulNBits' int8 path: activation rows (int8, quantized per block, see
// quant/int8_activations.h) against up to four weight columns of codes 0..2^bits-1. As in ONNX
// Runtime's CompInt8 kernels, the zero points are left out here and enter through per-block sums
// that the caller adds:
//   out[j] += Σ_blk (a_scale · b_scale[j]) · dot(qa, code_j)
// (the caller's part: Σ_blk (a_scale · Σqa) · (−b_scale[j] · zp[j])).
#include <cstdint>

namespace evalq {

struct Int8Columns {
  int count = 0;                       // 1..4
  // [n_blocks * block] codes each, one per byte; or, with packed4, the column's MatMulNBits
  // bytes (two codes per byte, low nibble first), decoded on the fly.
  const uint8_t* codes[4] = {};
  bool packed4 = false;
  const float* scale[4] = {};          // [n_blocks] each: b_scale
};

struct Int8Row {
  const int8_t* q;         // [n_blocks * block], in Int8Rows' order
  const float* scale;      // [n_blocks]: a_scale
  bool nibble_groups = false;  // q in Int8Order::NibbleGroups (then cols must be packed4)
};

// Whether this build has the kernel for rows in Int8Order::NibbleGroups (AVX-512 VNNI), used for
// 4-bit weights with block >= 32.
bool int8_nibble_groups_supported();

// int8_row_dot for two rows at once (sharing the decoded weights when both are in nibble order).
void int8_row_pair_dot(const Int8Row& row0, const Int8Row& row1, const Int8Columns& cols, int64_t n_blocks,
                       int64_t block, float* scratch, float* out0, float* out1);

// Adds to out[0 .. cols.count); `scratch` holds 8 * n_blocks floats.
void int8_row_dot(const Int8Row& row, const Int8Columns& cols, int64_t n_blocks, int64_t block, float* scratch,
                  float* out);

}  // namespace evalq
