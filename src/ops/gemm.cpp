#include "ops/gemm.h"

#include "ops/gemm_kernel.h"

#include <cblas.h>
#include <evalq/tensor.h>
#include <evalq/threads.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace evalq {
namespace {

std::mutex g_serial_mutex;
int g_serial_holders = 0;

// Below this many multiply-adds a product is not worth splitting (one task beats the hand-off).
constexpr int64_t kSplitMacs = int64_t{1} << 19;
// Columns per panel are a multiple of the widest sgemm micro-kernel tile (16 floats for AVX-512),
// so no panel but the last pays for a partial tile.
constexpr int64_t kColumnAlign = 16;
constexpr int64_t kMinPanelColumns = 128;
constexpr int64_t kMinPanelRows = 64;

SgemmArgs column_panel(const SgemmArgs& g, int64_t n0, int64_t n1) {
  SgemmArgs p = g;
  p.N = n1 - n0;
  const int64_t offset = g.trans_b ? n0 * g.ldb : n0;
  if (g.b_half) {
    p.b_half = g.b_half + offset;
  } else {
    p.b = g.b + offset;
  }
  p.c = g.c + n0;
  return p;
}

SgemmArgs row_panel(const SgemmArgs& g, int64_t m0, int64_t m1) {
  SgemmArgs p = g;
  p.M = m1 - m0;
  p.a = g.trans_a ? g.a + m0 : g.a + m0 * g.lda;
  p.c = g.c + m0 * g.ldc;
  return p;
}

// gemm_kernel packs B once per 128-column block for all the rows it is given, so with few rows
// (decoding, a few scored positions) the packing dominates: one thread, K 896, N 4864
// (bench/gemm_bench with this threshold lowered to 1), it ran at 0.93x OpenBLAS for 1-8 rows,
// 0.96x at 16, 1.00x at 32, 1.03x at 64.
constexpr int64_t kKernelMinRows = 32;
constexpr int64_t kKernelBlockColumns = 128;
constexpr int64_t kKernelRowAlign = 12;

// `g` with B widened to fp32 into `storage`, for the paths that cannot read half B.
SgemmArgs with_wide_b(const SgemmArgs& g, std::vector<float>& storage) {
  const int64_t rows = g.trans_b ? g.N : g.K, columns = g.trans_b ? g.K : g.N;
  storage.resize(rows * columns);
  tbb::parallel_for(int64_t{0}, rows, [&](int64_t r) {
    widen_halves(g.b_half_type, g.b_half + r * g.ldb, columns, storage.data() + r * columns);
  });
  SgemmArgs wide = g;
  wide.b = storage.data();
  wide.ldb = columns;
  wide.b_half = nullptr;
  return wide;
}

// The product as a grid of 128-column blocks by row parts, as many row parts as it takes to give
// every thread the same number of equal tasks (N = 896 has 7 column blocks: 2 row parts make 14).
void kernel_grid(const SgemmArgs& g, int64_t threads) {
  const int64_t column_blocks = (g.N + kKernelBlockColumns - 1) / kKernelBlockColumns;
  const int64_t max_row_parts = std::max<int64_t>(1, g.M / (4 * kKernelRowAlign));
  int64_t row_parts = 1;
  while (row_parts < max_row_parts &&
         (column_blocks * row_parts < 2 * threads || column_blocks * row_parts % threads != 0))
    ++row_parts;
  tbb::parallel_for(int64_t{0}, column_blocks * row_parts, [&](int64_t t) {
    const int64_t block = t / row_parts, part = t % row_parts;
    const int64_t m0 = g.M * part / row_parts / kKernelRowAlign * kKernelRowAlign;
    const int64_t m1 = part + 1 == row_parts ? g.M : g.M * (part + 1) / row_parts / kKernelRowAlign * kKernelRowAlign;
    const int64_t n0 = block * kKernelBlockColumns;
    gemm_kernel(row_panel(column_panel(g, n0, std::min(g.N, n0 + kKernelBlockColumns)), m0, m1));
  });
}

}  // namespace

SerialBlas::SerialBlas() {
  std::lock_guard lock(g_serial_mutex);
  if (g_serial_holders++ == 0) openblas_set_num_threads(1);
}

SerialBlas::~SerialBlas() {
  std::lock_guard lock(g_serial_mutex);
  if (--g_serial_holders == 0) openblas_set_num_threads(num_threads());
}

void sgemm(const SgemmArgs& g) {
  if (g.M == 0 || g.N == 0) return;
  if (g.b_half) {
    std::vector<float> storage;
    sgemm(with_wide_b(g, storage));
    return;
  }
  cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans, g.trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(g.M), static_cast<int>(g.N), static_cast<int>(g.K), g.alpha, g.a, static_cast<int>(g.lda),
              g.b, static_cast<int>(g.ldb), g.beta, g.c, static_cast<int>(g.ldc));
}

void parallel_sgemm(const SgemmArgs& g) {
  if (g.M == 0 || g.N == 0) return;
  const int64_t threads = num_threads();
  // With half B the alternative is widening all of B first, which costs more than packing it.
  if (gemm_kernel_applies(g) && (g.M >= kKernelMinRows || g.b_half)) {
    if (threads == 1 || g.M * g.N * g.K < kSplitMacs)
      gemm_kernel(g);
    else
      kernel_grid(g, threads);
    return;
  }
  if (g.b_half) {
    std::vector<float> storage;
    parallel_sgemm(with_wide_b(g, storage));
    return;
  }
  SerialBlas serial;
  if (threads == 1 || g.M * g.N * g.K < kSplitMacs) {
    sgemm(g);
    return;
  }
  // Two panels per thread, so TBB can move one off a thread that another process preempts
  // (measured on the shared 2-core machine: the Qwen2-0.5B-shaped prefill took the same CPU time
  // as with one row panel per thread and finished sooner). Column panels each pack only their
  // slice of the weights; products too narrow for that (attention's P.V, small K/V projections)
  // split their rows, and few rows with few columns (decoding) split what columns there are.
  const int64_t panels = 2 * threads;
  if (g.N < kMinPanelColumns * panels && g.M >= kMinPanelRows * panels) {
    tbb::parallel_for(int64_t{0}, panels, [&](int64_t p) {
      sgemm(row_panel(g, g.M * p / panels, g.M * (p + 1) / panels));
    });
    return;
  }
  const int64_t column_panels = std::clamp<int64_t>(g.N / kMinPanelColumns, 1, panels);
  tbb::parallel_for(int64_t{0}, column_panels, [&](int64_t p) {
    const int64_t n0 = g.N * p / column_panels / kColumnAlign * kColumnAlign;
    const int64_t n1 = p + 1 == column_panels ? g.N : g.N * (p + 1) / column_panels / kColumnAlign * kColumnAlign;
    sgemm(column_panel(g, n0, n1));
  });
}

}  // namespace evalq
