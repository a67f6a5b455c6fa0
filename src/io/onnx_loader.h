#pragma once

#include <filesystem>

#include "graph/graph.h"

namespace evalq {

// Parses an ONNX model file into the graph IR. Initializers stay in their stored dtype; external
// data files are memory-mapped once each and viewed in place. Throws evalq::Error naming the file
// and the initializer or node at fault.
OnnxModel load_onnx(const std::filesystem::path& path);

}  // namespace evalq
