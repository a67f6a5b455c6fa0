#include "quant/quant_layout.h"

#include <evalq/error.h>

#include "ops/common.h"

namespace evalq {

QuantLayout make_quant_layout(const Shape& data, const Shape& scale, int64_t axis, int64_t block_size,
                              const Node& node) {
  QuantLayout layout;
  const int64_t numel = shape_numel(data);
  if (shape_numel(scale) == 1 && scale.size() <= 1 && block_size == 0) {
    layout.inner = numel;
    return layout;
  }
  if (data.empty()) {
    throw Error(node.describe() + ": a scalar input needs a scalar scale, got scale shape " + shape_string(scale));
  }
  const int64_t rank = static_cast<int64_t>(data.size());
  const int64_t a = normalize_axis(axis, rank, node);
  layout.per_tensor = false;
  layout.axis_dim = data[a];
  for (int64_t d = 0; d < a; ++d) layout.outer *= data[d];
  for (int64_t d = a + 1; d < rank; ++d) layout.inner *= data[d];
  if (block_size == 0) {
    if (scale.size() != 1 || scale[0] != data[a]) {
      throw Error(node.describe() + ": per-axis scale must be 1-D of length " + std::to_string(data[a]) +
                  " (axis " + std::to_string(a) + " of " + shape_string(data) + "), got " + shape_string(scale));
    }
    layout.scale_dim = data[a];
    return layout;
  }
  if (block_size < 0) throw Error(node.describe() + ": block_size must be positive, got " + std::to_string(block_size));
  layout.block = block_size;
  layout.blocked = true;
  layout.scale_dim = (data[a] + block_size - 1) / block_size;
  Shape expected = data;
  expected[a] = layout.scale_dim;
  if (scale != expected) {
    throw Error(node.describe() + ": blocked scale (block_size " + std::to_string(block_size) + ", axis " +
                std::to_string(a) + ") must have shape " + shape_string(expected) + ", got " + shape_string(scale));
  }
  return layout;
}

}  // namespace evalq
