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
};

Int8Rows quantize_rows_int8(const float* a, int64_t rows, int64_t K, int64_t block,
                            Int8Order order = Int8Order::Natural);

}  // namespace evalq
