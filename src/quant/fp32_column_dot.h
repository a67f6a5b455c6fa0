#pragma once

// fp32 products of a few activation rows with one MatMulNBits column, dequantizing the packed
// codes in registers: w_k = (code_k − zp[blk]) · scale[blk], exactly as a dequantized weight, and
// out[m · out_stride] = Σ_k a[m · K + k] · w_k. For decoding (M ≤ 4), where writing a dequantized
// tile out and reading it back costs more than the products.
#include <cstdint>

namespace evalq {

// bits is 4 or 8, M at most 4, block a multiple of 16; zero_points as floats (integer ones
// converted, which is exact).
void fp32_column_dot(const float* a, int64_t M, int64_t K, const uint8_t* column_bytes, int bits, int64_t block,
                     const float* scales, const float* zero_points, float* out, int64_t out_stride);

}  // namespace evalq
