#pragma once

#include <optional>

#include "graph/graph.h"

namespace evalq {

// A linear layer's weight as the model stores it. Simulation, `evalq info` and the logits-row
// selection all ask "is this node a linear layer, and where is its weight?"; this is the one answer.
struct LinearWeight {
  enum class Storage {
    Constant,     // MatMul/Gemm with a 2-D constant B
    Dequantized,  // MatMul/Gemm with B = DequantizeLinear(2-D constant) (QDQ models)
    NBits,        // com.microsoft MatMulNBits (packed B; K and N from its attributes)
  };
  Storage storage = Storage::Constant;
  int weight = -1;                    // the constant B, the DequantizeLinear's quantized input, or MatMulNBits' B
  const Node* dequantize = nullptr;   // the DequantizeLinear, for Storage::Dequantized
  bool transposed = false;            // Gemm transB = 1: stored [N, K]
  int64_t K = 0, N = 0;
};

std::optional<LinearWeight> linear_weight(const Graph& g, const Node& n);

}  // namespace evalq
