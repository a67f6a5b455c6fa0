#pragma once

// MatMulNBits' int8 path (accuracy_level 4, as ONNX Runtime's CPU kernel computes it): A is
// quantized to int8 per K-block (quant/int8_activations.h), int8 × code dot products are summed
// per block and scaled by a_s · b_s, and the zero-point terms come from per-block sums, one sgemm
// as in ORT:
//   C[m, n] = Σ_blk a_s·b_s · dot(qa, code) + Σ_blk (a_s · Σqa) · (−b_s · zp).
// With 4-bit weights, blocks >= 32, implicit zero points and the AVX-512 VNNI kernel, the zero
// point is subtracted inside the integer sums instead, exactly: C[m, n] = Σ_blk a_s·b_s ·
// dot(qa, code − zp), the same value up to float rounding, without the sgemm and its pass over C.
// Weights must have integer or implicit zero points and no g_idx.
#include <cstdint>

#include "quant/nbits_weights.h"

namespace evalq {

// Writes C [M][N] (row-major) from A [M][K] fp32.
void int8_nbits_matmul(const NBitsWeights& w, const float* a, int64_t M, float* c);

}  // namespace evalq
