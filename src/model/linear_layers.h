#pragma once

#include <evalq/model_info.h>

#include "graph/graph.h"

namespace evalq {

// Every linear layer of the graph and the storage format of its weight, in graph order.
std::vector<LinearLayerInfo> linear_layers(const Graph& graph);

}  // namespace evalq
