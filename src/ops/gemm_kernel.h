// evalq's own single-threaded fp32 GEMM for the product that dominates prefill: row-major
// C[M, N] = A[M, K] * B[K, N] (beta 0) or C += A * B (beta 1), neither operand transposed, alpha 1,
// B in fp32 or as fp16/bf16 bits (SgemmArgs::b_half), widened exactly while it is packed.
//
// It reads A in place (no packing of the activations), packs B in blocks of 32-column strips that
// stay in L2 while every 12-row tile of A passes over them, and writes C on the first K block
// instead of zeroing it first. Measured against OpenBLAS 0.3.21 on the same product shapes
// (docs/performance.md), it is at least as fast per call and spares the whole-model passes that
// OpenBLAS spends on packing A and on its beta pass.
#pragma once

#include "ops/gemm.h"

namespace evalq {

// Whether gemm_kernel computes this product: the build has AVX-512 (F, BW and VL) and the product
// is an untransposed A * B with alpha 1 and beta 0 or 1.
bool gemm_kernel_applies(const SgemmArgs& g);

// The product on the calling thread; requires gemm_kernel_applies(g).
void gemm_kernel(const SgemmArgs& g);

}  // namespace evalq
