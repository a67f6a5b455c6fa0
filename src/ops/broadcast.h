#pragma once

// NumPy broadcasting for elementwise kernels. A plan coalesces dimensions that every operand
// walks contiguously (or not at all), so same-shape and scalar operands become one long row, and
// then hands rows to the kernel: for each output row, the element offset of every operand and the
// stride (0 or 1) of each along the row.
#include <tbb/parallel_for.h>

#include <array>
#include <cstdint>
#include <vector>

#include "ops/common.h"

namespace evalq {

template <size_t N>
struct BroadcastPlan {
  Shape shape;                                     // coalesced output shape, rank >= 1
  std::array<std::vector<int64_t>, N> strides;     // per operand, per coalesced dim
  int64_t row_length() const { return shape.back(); }
  int64_t rows() const {
    int64_t r = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i) r *= shape[i];
    return r;
  }
};

template <size_t N>
BroadcastPlan<N> plan_broadcast(const Shape& out, const std::array<const Shape*, N>& in) {
  std::array<std::vector<int64_t>, N> full;
  for (size_t k = 0; k < N; ++k) full[k] = broadcast_strides(*in[k], out);
  BroadcastPlan<N> plan;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;  // size-1 dims never move any operand
    bool merge = !plan.shape.empty();
    for (size_t k = 0; k < N && merge; ++k) {
      int64_t prev = plan.strides[k].back();
      // Dim d-1 (already in the plan) merges with d when stepping d-1 equals stepping d `out[d]` times.
      merge = prev == full[k][d] * out[d];
    }
    if (merge) {
      plan.shape.back() *= out[d];
      for (size_t k = 0; k < N; ++k) plan.strides[k].back() = full[k][d];
    } else {
      plan.shape.push_back(out[d]);
      for (size_t k = 0; k < N; ++k) plan.strides[k].push_back(full[k][d]);
    }
  }
  if (plan.shape.empty()) {
    plan.shape.push_back(1);
    for (size_t k = 0; k < N; ++k) plan.strides[k].push_back(0);
  }
  return plan;
}

// Calls row(out_offset, offsets, steps, length) for pieces of every output row; offsets/steps are
// per operand. Long rows are cut into pieces so that large outputs run in parallel.
template <size_t N, typename Row>
void for_each_broadcast_row(const BroadcastPlan<N>& plan, Row&& row) {
  constexpr int64_t kPiece = 1 << 14;
  const int64_t len = plan.row_length();
  const int64_t rows = plan.rows();
  const int64_t pieces_per_row = std::max<int64_t>(1, (len + kPiece - 1) / kPiece);
  const size_t outer = plan.shape.size() - 1;
  std::array<int64_t, N> steps;
  for (size_t k = 0; k < N; ++k) steps[k] = plan.strides[k].back();
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      int64_t r = item / pieces_per_row;
      int64_t start = (item % pieces_per_row) * kPiece;
      std::array<int64_t, N> offsets{};
      int64_t rem = r;
      for (size_t d = outer; d-- > 0;) {
        int64_t idx = rem % plan.shape[d];
        rem /= plan.shape[d];
        for (size_t k = 0; k < N; ++k) offsets[k] += idx * plan.strides[k][d];
      }
      for (size_t k = 0; k < N; ++k) offsets[k] += start * steps[k];
      row(r * len + start, offsets, steps, std::min(kPiece, len - start));
    }
  };
  const int64_t items = rows * pieces_per_row;
  if (items > 1 && rows * len >= 2 * kPiece) {
    int64_t grain = std::max<int64_t>(1, kPiece / std::max<int64_t>(1, std::min(len, kPiece)));
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, items, grain),
                      [&](const tbb::blocked_range<int64_t>& r) { run(r.begin(), r.end()); });
  } else {
    run(0, items);
  }
}

}  // namespace evalq
