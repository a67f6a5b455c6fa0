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

struct Int8Rows {
  int64_t rows = 0;
  int64_t n_blocks = 0;
  int64_t block = 0;
  std::vector<int8_t> q;       // [rows][n_blocks * block]
  std::vector<float> scale;    // [rows][n_blocks]
  std::vector<float> scaled_sum;  // [rows][n_blocks]: scale * sum of q, for zero-point terms
};

Int8Rows quantize_rows_int8(const float* a, int64_t rows, int64_t K, int64_t block);

}  // namespace evalq
