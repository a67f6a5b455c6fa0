#pragma once

// The inner loop of MatMulNBits' int8 path: activation rows (int8, quantized per block, see
// quant/int8_activations.h) against up to four weight columns of codes 0..2^bits-1:
//   out[j] += Σ_blk (a_scale · b_scale[j]) · dot(qa, code_j − zero_point)
// where zero_point is Int8Columns::zero_point (0 unless set). As in ONNX Runtime's CompInt8
// kernels, per-column zero points are left to the caller, who adds per-block sums:
// Σ_blk (a_scale · Σqa) · (−b_scale[j] · zp[j, blk]).
#include <cstdint>

namespace evalq {

struct Int8Columns {
  int count = 0;                       // 1..4
  // [n_blocks * block] codes each, one per byte; or, with packed4, the column's MatMulNBits
  // bytes (two codes per byte, low nibble first), decoded on the fly.
  const uint8_t* codes[4] = {};
  bool packed4 = false;
  const float* scale[4] = {};          // [n_blocks] each: b_scale
  // Rows in Int8Order::NibbleGroups only: a zero point common to every block of these columns
  // (MatMulNBits' implicit one), subtracted exactly inside the integer sums, so that the caller
  // adds no zero-point terms. 0 for other rows.
  int32_t zero_point = 0;
};

struct Int8Row {
  const int8_t* q = nullptr;  // [n_blocks * block], in Int8Rows' order
  const float* scale = nullptr;  // [n_blocks]: a_scale
  // NibbleGroups only (see NibbleLaneTerms): Σqa of each 32 elements, and per whole group of four
  // sub-blocks 16 lanes of a_scale and 16 of −zp · Σqa.
  const int32_t* sub_block_sums = nullptr;
  const float* lane_scale = nullptr;
  const int32_t* lane_start = nullptr;
  bool nibble_groups = false;  // q in Int8Order::NibbleGroups (then cols must be packed4)
};

// Whether this build has the kernel for rows in Int8Order::NibbleGroups (AVX-512 VNNI), used for
// 4-bit weights with block >= 32.
bool int8_nibble_groups_supported();

// out[r * out_stride + j] += the dot of rows[r] (r < count <= 4, all in the same order) with
// column j, or = with `store`; `scratch` holds 8 * n_blocks floats.
void int8_rows_dot(const Int8Row* rows, int count, const Int8Columns& cols, int64_t n_blocks, int64_t block,
                   float* scratch, float* out, int64_t out_stride, bool store);

}  // namespace evalq
