#pragma once

// Small helpers shared by kernels of every op family: axis handling, integer inputs (axes,
// shapes, indices) and NumPy-style broadcasting.
#include <evalq/tensor.h>

#include <string>
#include <vector>

#include "graph/graph.h"

namespace evalq {

// ONNX axis in [-rank, rank) to [0, rank); an error naming the node otherwise.
int64_t normalize_axis(int64_t axis, int64_t rank, const Node& node);

// The values of an int32 or int64 tensor (axes, shapes, starts, repeats, ...).
std::vector<int64_t> int64_values(const Tensor& t, const Node& node, const char* what);

// The NumPy-broadcast shape of several shapes; an error naming the node when incompatible.
Shape broadcast_shapes(const std::vector<Shape>& shapes, const Node& node);

// Element strides that read `in` (right-aligned to `out`'s rank) for each output index: 0 along
// broadcast dimensions.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Row-major strides of a shape.
std::vector<int64_t> contiguous_strides(const Shape& shape);

}  // namespace evalq
