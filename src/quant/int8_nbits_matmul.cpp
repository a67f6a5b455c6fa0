#include "quant/int8_nbits_matmul.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <vector>

#include "ops/gemm.h"
#include "quant/int8_activations.h"
#include "quant/int8_dot.h"

namespace evalq {
namespace {

// Up to this many rows, 4-bit codes are decoded in registers rather than unpacked per tile.
constexpr int64_t kFewRows = 4;
// Rows per kernel call (see int8_rows_dot).
constexpr int64_t kRows = 4;

// C = Σ_blk (a_scale · Σqa)[m, blk] · (−b_scale · zp)[n, blk], one sgemm as in ORT. Implicit zero
// points are one power of two, so −zp · (a_s·Σqa × b_sᵀ) is exactly that and needs no copy of the
// scales.
void zero_point_terms(const NBitsWeights& w, const Int8Rows& qa, int64_t M, float* c) {
  const NBitsShape& shape = w.shape();
  const int64_t N = shape.N, nb = shape.n_blocks();
  const float* b_terms = w.scales();
  float alpha = -static_cast<float>(1 << (shape.bits - 1));
  std::vector<float> terms;
  if (w.zero_point_kind() != NBitsWeights::ZeroPoints::Implicit) {
    terms.resize(static_cast<size_t>(N * nb));
    tbb::parallel_for(int64_t{0}, N, [&](int64_t n) {
      for (int64_t blk = 0; blk < nb; ++blk) {
        terms[n * nb + blk] = -w.scale(n, blk) * static_cast<float>(w.int_zero_point(n, blk));
      }
    });
    b_terms = terms.data();
    alpha = 1.0f;
  }
  parallel_sgemm({.trans_b = true, .M = M, .N = N, .K = nb, .alpha = alpha, .a = qa.scaled_sum.data(), .lda = nb,
                  .b = b_terms, .ldb = nb, .c = c, .ldc = N});
}

}  // namespace

void int8_nbits_matmul(const NBitsWeights& w, const float* a, int64_t M, float* c) {
  const NBitsShape& shape = w.shape();
  const int64_t N = shape.N, bs = shape.block_size, nb = shape.n_blocks(), padded = nb * bs;
  // 4-bit weights with blocks of 32 or more have a kernel that reads the packed bytes directly,
  // given A in the matching element order.
  const bool nibble_groups = shape.bits == 4 && bs >= 32 && int8_nibble_groups_supported();
  const Int8Rows qa = quantize_rows_int8(a, M, shape.K, bs, nibble_groups ? Int8Order::NibbleGroups : Int8Order::Natural);
  // That kernel also takes an implicit zero point inside its integer sums, exactly, and then
  // stores C; otherwise the zero-point terms come first and the kernel adds to them.
  const bool zero_point_in_kernel = nibble_groups && w.zero_point_kind() == NBitsWeights::ZeroPoints::Implicit;
  const int64_t sub_blocks = nibble_groups ? padded / 32 : 0;
  if (!zero_point_in_kernel) zero_point_terms(w, qa, M, c);
  const NibbleLaneTerms lanes = nibble_groups ? nibble_lane_terms(qa, zero_point_in_kernel ? w.int_zero_point(0, 0) : 0)
                                              : NibbleLaneTerms{};
  // Columns per task: each task streams all of A (with the lane terms twice A's bytes) once, so
  // wider tiles stream it less often; 64 was fastest for K = 896 and keeps N = 896 at 14 tasks
  // for two threads (128 was 10 % faster for K = 4864 alone but 8 % slower for K = 896).
  constexpr int64_t kCols = 64;
  const int64_t tiles = (N + kCols - 1) / kCols;
  tbb::parallel_for(int64_t{0}, tiles, [&](int64_t t) {
    const int64_t n0 = t * kCols, count = std::min(kCols, N - n0);
    // 8-bit codes are bytes already; 4-bit ones are decoded in registers for a few rows and
    // unpacked once per tile when many rows reuse them.
    const bool in_place = shape.bits == 8 || (shape.bits == 4 && (nibble_groups || M <= kFewRows));
    std::vector<uint8_t> codes;
    if (!in_place) {
      codes.resize(static_cast<size_t>(count * padded));
      w.unpack_columns(n0, count, codes.data());
    }
    std::vector<float> scratch(static_cast<size_t>(8 * nb));
    // Rows in fours, so that all of them use each decoded group of weights.
    for (int64_t m = 0; m < M; m += kRows) {
      const int rows_here = static_cast<int>(std::min(kRows, M - m));
      Int8Row rows[kRows];
      for (int r = 0; r < rows_here; ++r) {
        rows[r].q = qa.q.data() + (m + r) * padded;
        rows[r].scale = qa.scale.data() + (m + r) * nb;
        rows[r].sub_block_sums = qa.sub_block_sums.data() + (m + r) * sub_blocks;
        rows[r].lane_scale = lanes.scale.data() + (m + r) * lanes.groups * 16;
        rows[r].lane_start = lanes.start.data() + (m + r) * lanes.groups * 16;
        rows[r].nibble_groups = nibble_groups;
      }
      for (int64_t col = 0; col < count; col += 4) {
        Int8Columns cols;
        cols.count = static_cast<int>(std::min<int64_t>(4, count - col));
        cols.packed4 = in_place && shape.bits == 4;
        cols.zero_point = zero_point_in_kernel ? w.int_zero_point(0, 0) : 0;
        for (int j = 0; j < cols.count; ++j) {
          cols.codes[j] = in_place ? w.column_bytes(n0 + col + j) : codes.data() + (col + j) * padded;
          cols.scale[j] = w.scales() + (n0 + col + j) * nb;
        }
        int8_rows_dot(rows, rows_here, cols, nb, bs, scratch.data(), c + m * N + n0 + col, N, zero_point_in_kernel);
      }
    }
  });
}

}  // namespace evalq
