#pragma once

// Writes the graph IR back to an ONNX file, so that what evalq evaluated (a simulated
// quantization) can be shipped: nodes in topological order, constants as initializers, tensors of
// 1 KiB and more in one external data file (64-byte aligned), everything else inline.
#include <filesystem>

#include "graph/graph.h"

namespace evalq {

// `model.graph` is written to `path`; external data goes to `path` + ".data" beside it.
void save_onnx(const OnnxModel& model, const std::filesystem::path& path);

// Raises the ai.onnx opset of a graph to `target` (>= 18), moving Reduce* axes attributes to the
// axes input as opset 18 requires. Throws for opsets below 13, whose forms evalq does not rewrite.
void upgrade_ai_onnx_opset(OnnxModel& model, int target);

}  // namespace evalq
