#pragma once

#include <evalq/tensor.h>

#include "graph/graph.h"

namespace evalq {

// ONNX Cast semantics: floats to integers truncate toward zero, to fp16/bf16/fp8 round to
// nearest even (fp8 saturating when `saturate`), anything to bool is "!= 0", strings unsupported.
Tensor cast_tensor(const Tensor& in, DType to, const Node& node, bool saturate = true);
void cast_into(const Tensor& in, Tensor& out, const Node& node, bool saturate = true);

}  // namespace evalq
