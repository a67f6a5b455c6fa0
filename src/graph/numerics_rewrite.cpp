#include "graph/numerics_rewrite.h"

#include "quant/dq_to_nbits.h"

namespace evalq {
NumericsRewrite apply_numerics(Graph& g, Numerics numerics) {
  NumericsRewrite done;
  const int level = numerics == Numerics::OrtCpu ? 4 : 0;
  // Producers and reader counts once: the rewrite keeps every node's outputs and only adds constants.
  std::vector<const Node*> producer(g.values.size(), nullptr);
  std::vector<int> readers(g.values.size(), 0);
  for (const auto& n : g.nodes) {
    for (int out : n.outputs) {
      if (out >= 0) producer[out] = &n;
    }
    for (int in : n.inputs) {
      if (in >= 0) ++readers[in];
    }
  }
  for (int out : g.outputs) ++readers[out];
  for (auto& n : g.nodes) {
    if (n.domain == "com.microsoft" && n.op_type == "MatMulNBits" && numerics == Numerics::Exact) {
      if (n.int_attribute("accuracy_level", 0) != 0) {
        n.attributes["accuracy_level"] = Attribute::integer(0);
        ++done.fp32_activations;
      }
      continue;
    }
    if (!n.domain.empty() || n.op_type != "MatMul" || n.inputs.size() != 2) continue;
    const Node* dq = n.inputs[1] >= 0 ? producer[n.inputs[1]] : nullptr;
    if (!dq || !dq->domain.empty() || dq->op_type != "DequantizeLinear" || readers[n.inputs[1]] != 1) continue;
    if (dq->inputs.size() < 2 || !g.is_constant(dq->inputs[0]) || !g.is_constant(dq->inputs[1])) continue;
    const Tensor* zp = dq->inputs.size() > 2 && dq->inputs[2] >= 0 ? &g.values[dq->inputs[2]].constant : nullptr;
    if (zp && !zp->defined()) continue;
    if (!dq->attribute("block_size")) continue;
    auto fused = nbits_from_blocked_dq(g.values[dq->inputs[0]].constant, g.values[dq->inputs[1]].constant, zp,
                                       dq->int_attribute("axis", 1), dq->int_attribute("block_size", 0));
    if (!fused) continue;
    const std::string base = g.values[dq->inputs[0]].name;
    std::vector<int> inputs{n.inputs[0], g.add_constant(g.unused_name(base + "_nbits"), fused->b),
                            g.add_constant(g.unused_name(base + "_nbits_scales"), fused->scales)};
    if (fused->zero_points.defined()) inputs.push_back(g.add_constant(g.unused_name(base + "_nbits_zero_points"), fused->zero_points));
    n.become_matmul_nbits(std::move(inputs), fused->shape.K, fused->shape.N, fused->shape.bits,
                          fused->shape.block_size, level);
    ++done.fused_dq_matmuls;
  }
  return done;
}

}  // namespace evalq
