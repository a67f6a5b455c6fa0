// Matrix products through OpenBLAS sgemm with TBB as the only thread pool.
//
// OpenBLAS's own threads spin between calls and synchronize inside each product; at a few
// threads that costs more than splitting a product into independent single-threaded calls run
// as TBB tasks (measured in docs/performance.md). OpenBLAS refuses to run two threaded products
// at once, so while any SerialBlas exists it is switched to one thread; kernels outside this
// helper keep OpenBLAS's own threading.
#pragma once

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
