#include "graph/linear_weight.h"

namespace evalq {

std::optional<LinearWeight> linear_weight(const Graph& g, const Node& n) {
  if (n.domain == "com.microsoft" && n.op_type == "MatMulNBits") {
    if (n.inputs.size() < 2) return std::nullopt;
    LinearWeight l;
    l.storage = LinearWeight::Storage::NBits;
    l.weight = n.inputs[1];
    l.K = n.int_attribute("K", 0);
    l.N = n.int_attribute("N", 0);
    return l;
  }
  if (!n.domain.empty() || (n.op_type != "MatMul" && n.op_type != "Gemm") || n.inputs.size() < 2) return std::nullopt;
  LinearWeight l;
  l.transposed = n.op_type == "Gemm" && n.int_attribute("transB", 0) != 0;
  const int b = n.inputs[1];
  if (g.is_constant(b)) {
    l.weight = b;
  } else {
    const Node* dq = g.producer(b);
    if (!dq || !dq->domain.empty() || dq->op_type != "DequantizeLinear" || dq->inputs.empty() ||
        !g.is_constant(dq->inputs[0])) {
      return std::nullopt;
    }
    l.storage = LinearWeight::Storage::Dequantized;
    l.weight = dq->inputs[0];
    l.dequantize = dq;
  }
  const Tensor& t = g.values[l.weight].constant;
  if (t.rank() != 2) return std::nullopt;
  l.K = t.shape()[l.transposed ? 1 : 0];
  l.N = t.shape()[l.transposed ? 0 : 1];
  return l;
}

}  // namespace evalq
