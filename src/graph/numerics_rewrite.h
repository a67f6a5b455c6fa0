#pragma once

// Applies --numerics to a graph before it is compiled:
// - every numerics: DequantizeLinear(blocked 4/8-bit weight) -> MatMul runs as MatMulNBits, which
//   keeps the weight packed instead of dequantizing it on every run; accuracy_level 0 computes
//   exactly the fp32 product the ONNX graph defines (model, exact), accuracy_level 4 is what ONNX
//   Runtime's default CPU session fuses it into (ort-cpu: int8 activations);
// - exact: MatMulNBits nodes run with fp32 activations (accuracy_level 0), isolating the
//   weight-quantization loss.
#include <evalq/options.h>

#include "graph/graph.h"

namespace evalq {

struct NumericsRewrite {
  int fused_dq_matmuls = 0;     // DequantizeLinear -> MatMul pairs turned into MatMulNBits
  int fp32_activations = 0;     // MatMulNBits nodes whose accuracy_level 4 was lowered (exact)
};

NumericsRewrite apply_numerics(Graph& graph, Numerics numerics);

}  // namespace evalq
