#pragma once

// Activations quantized to int8 per block along K, the way ONNX Runtime's MLAS CompInt8 path
// (MatMulNBits accuracy_level 4) does it, so that integer dot products reproduce its numbers:
// for each row and block of `block` values (the last one zero-padded),
//   amax = max |a|, scale = amax / 127, q = clamp(round_half_even(a * (127 / amax)), -128, 127)
// in fp32 (q = 0 when amax is 0). Note 127 / amax, not 1 / scale: the two differ in the last
// bit for some amax, and that flips roundings.
#include <cstdint>
#include <vector>

namespace evalq {

// Order of q within a row. Natural: element k at k. NibbleGroups (for 4-bit weights, block >= 32):
// the row is cut into 32-element sub-blocks; each group of 4 sub-blocks (128 bytes) holds first
// the even elements of sub-blocks 0..3 (16 each), then their odd elements; sub-blocks left over
// after the last full group hold their 16 even then 16 odd elements. That matches packed 4-bit
// weights split into low nibbles (even k) and high nibbles (odd k) without any shuffling.
enum class Int8Order { Natural, NibbleGroups };

struct Int8Rows {
  int64_t rows = 0;
  int64_t n_blocks = 0;
  int64_t block = 0;
  Int8Order order = Int8Order::Natural;
  std::vector<int8_t> q;       // [rows][n_blocks * block]
  std::vector<float> scale;    // [rows][n_blocks]
  std::vector<float> scaled_sum;  // [rows][n_blocks]: scale * sum of q, for zero-point terms
  // NibbleGroups only: [rows][n_blocks * block / 32], the sum of q over each 32 elements.
  std::vector<int32_t> sub_block_sums;
};

// What the NibbleGroups kernel (quant/int8_dot.h) needs per row and whole group of four 32-element
// sub-blocks, laid out as its VPDPBUSD sums (sub-block L of the group in lanes 4L .. 4L+3):
// scale holds the sub-block's a_scale in all four lanes, start −zero_point · Σq of the sub-block
// in lane 4L and 0 in the other three.
struct NibbleLaneTerms {
  int64_t groups = 0;           // per row
  std::vector<float> scale;     // [rows][groups * 16]
  std::vector<int32_t> start;   // [rows][groups * 16]
};

NibbleLaneTerms nibble_lane_terms(const Int8Rows& rows, int32_t zero_point);

Int8Rows quantize_rows_int8(const float* a, int64_t rows, int64_t K, int64_t block,
                            Int8Order order = Int8Order::Natural);

}  // namespace evalq
