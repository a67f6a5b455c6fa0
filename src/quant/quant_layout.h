#pragma once

// Which scale / zero point applies to each element of a tensor quantized per tensor, per axis or
// in blocks along one axis (ONNX QuantizeLinear/DequantizeLinear semantics).
#include <evalq/tensor.h>

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

// Derives the layout from the data and scale shapes; `block_size` 0 means per tensor or per
// axis. Errors name the node and what shape was expected.
QuantLayout make_quant_layout(const Shape& data, const Shape& scale, int64_t axis, int64_t block_size,
                              const Node& node);

}  // namespace evalq
