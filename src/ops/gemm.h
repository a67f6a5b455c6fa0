// Matrix products with TBB as the only thread pool: evalq's own kernel (ops/gemm_kernel.h) for
// the untransposed products of prefill, OpenBLAS sgemm for the rest.
//
// OpenBLAS's own threads spin between calls and synchronize inside each product; at a few
// threads that costs more than splitting a product into independent single-threaded calls run
// as TBB tasks (measured in docs/performance.md). OpenBLAS refuses to run two threaded products
// at once, so while any SerialBlas exists it is switched to one thread; kernels outside this
// helper keep OpenBLAS's own threading.
#pragma once

#include <evalq/dtype.h>

#include <cstdint>

namespace evalq {

// Row-major C[M, N] = alpha * op(A) * op(B) + beta * C, op(X) = X or X^T, as cblas_sgemm.
struct SgemmArgs {
  bool trans_a = false;
  bool trans_b = false;
  int64_t M = 0, N = 0, K = 0;
  float alpha = 1.f;
  const float* a = nullptr;
  int64_t lda = 0;
  const float* b = nullptr;
  int64_t ldb = 0;
  // B as fp16 or bf16 bits (b_half_type) instead of `b`: half weights (fp16 exports) are widened
  // block by block as the GEMM kernel packs them, never copied whole; paths without the kernel
  // widen B first.
  const uint16_t* b_half = nullptr;
  DType b_half_type = DType::Float16;
  float beta = 0.f;
  float* c = nullptr;
  int64_t ldc = 0;
};

// Holds OpenBLAS at one thread for its lifetime (nestable, from any thread), so sgemm calls can
// run side by side in TBB tasks.
class SerialBlas {
 public:
  SerialBlas();
  ~SerialBlas();
  SerialBlas(const SerialBlas&) = delete;
  SerialBlas& operator=(const SerialBlas&) = delete;
};

// One OpenBLAS call on the calling thread; inside TBB tasks, call it under a SerialBlas.
void sgemm(const SgemmArgs& g);

// The product split into column or row panels, one single-threaded OpenBLAS call per TBB task.
void parallel_sgemm(const SgemmArgs& g);

}  // namespace evalq
