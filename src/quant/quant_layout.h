#pragma once

// Which scale / zero point applies to each element of a tensor quantized per tensor, per axis or
// in blocks along one axis (ONNX QuantizeLinear/DequantizeLinear semantics).
#include <evalq/tensor.h>
#include <tbb/parallel_for.h>

#include <algorithm>

#include "graph/graph.h"

namespace evalq {

struct QuantLayout {
  int64_t outer = 1;       // product of the dimensions before the axis
  int64_t axis_dim = 1;    // the quantized axis' length (1 per tensor)
  int64_t inner = 1;       // product of the dimensions after the axis
  int64_t block = 1;       // elements along the axis sharing one scale
  int64_t scale_dim = 1;   // scales along the axis: ceil(axis_dim / block)
  bool per_tensor = true;
  bool blocked = false;    // scale has x's rank (else 1-D per axis)

  // Index of the scale for element (o, a, i), o < outer, a < axis_dim, i < inner.
  int64_t scale_index(int64_t o, int64_t a, int64_t i) const {
    if (per_tensor) return 0;
    if (!blocked) return a;
    return (o * scale_dim + a / block) * inner + i;
  }
};

// Calls fn(element_index, scale_index) for every element, in parallel. Chunks walk (outer, axis)
// rows incrementally: no division per element.
template <typename Fn>
void for_each_quantized(const QuantLayout& l, const Fn& fn) {
  if (l.per_tensor) {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, l.inner, 16384), [&](const tbb::blocked_range<int64_t>& r) {
      for (int64_t i = r.begin(); i < r.end(); ++i) fn(i, 0);
    });
    return;
  }
  const int64_t rows = l.outer * l.axis_dim;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(l.inner, 1));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, grain), [&](const tbb::blocked_range<int64_t>& r) {
    int64_t o = r.begin() / l.axis_dim, a = r.begin() % l.axis_dim;
    for (int64_t row = r.begin(); row < r.end(); ++row) {
      const int64_t base = row * l.inner;
      for (int64_t i = 0; i < l.inner; ++i) fn(base + i, l.scale_index(o, a, i));
      if (++a == l.axis_dim) {
        a = 0;
        ++o;
      }
    }
  });
}

// Derives the layout from the data and scale shapes; `block_size` 0 means per tensor or per
// axis. Errors name the node and what shape was expected.
QuantLayout make_quant_layout(const Shape& data, const Shape& scale, int64_t axis, int64_t block_size,
                              const Node& node);

}  // namespace evalq
