#include "ops/gemm.h"

#include <cblas.h>
#include <evalq/threads.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <mutex>

namespace evalq {
namespace {

std::mutex g_serial_mutex;
int g_serial_holders = 0;

// Below this many multiply-adds a product is not worth splitting (one task is faster than the
// hand-off); OpenBLAS itself stays single-threaded below about a quarter of it.
constexpr int64_t kSplitMacs = int64_t{1} << 22;
// Columns per panel are a multiple of the widest sgemm micro-kernel tile (16 floats for AVX-512),
// so no panel but the last pays for a partial tile.
constexpr int64_t kColumnAlign = 16;
// Panels per thread: more than one lets TBB rebalance when a core is taken by another process.
constexpr int64_t kPanelsPerThread = 2;

SgemmArgs column_panel(const SgemmArgs& g, int64_t n0, int64_t n1) {
  SgemmArgs p = g;
  p.N = n1 - n0;
  p.b = g.trans_b ? g.b + n0 * g.ldb : g.b + n0;
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
  cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans, g.trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(g.M), static_cast<int>(g.N), static_cast<int>(g.K), g.alpha, g.a, static_cast<int>(g.lda),
              g.b, static_cast<int>(g.ldb), g.beta, g.c, static_cast<int>(g.ldc));
}

void parallel_sgemm(const SgemmArgs& g) {
  if (g.M == 0 || g.N == 0) return;
  const int64_t threads = num_threads();
  SerialBlas serial;
  if (threads == 1 || g.M * g.N * g.K < kSplitMacs) {
    sgemm(g);
    return;
  }
  const int64_t wanted = threads * kPanelsPerThread;
  // Column panels share A and each packs its own slice of B (the weights); row panels would each
  // pack all of B. Few columns (K/V projections, attention's P.V) split by rows instead.
  const int64_t column_panels = std::min(wanted, g.N / (kColumnAlign * 8));
  if (column_panels >= threads) {
    tbb::parallel_for(int64_t{0}, column_panels, [&](int64_t p) {
      const int64_t n0 = g.N * p / column_panels / kColumnAlign * kColumnAlign;
      const int64_t n1 = p + 1 == column_panels ? g.N : g.N * (p + 1) / column_panels / kColumnAlign * kColumnAlign;
      sgemm(column_panel(g, n0, n1));
    });
    return;
  }
  const int64_t row_panels = std::max<int64_t>(1, std::min(wanted, g.M / 16));
  tbb::parallel_for(int64_t{0}, row_panels, [&](int64_t p) {
    sgemm(row_panel(g, g.M * p / row_panels, g.M * (p + 1) / row_panels));
  });
}

}  // namespace evalq
