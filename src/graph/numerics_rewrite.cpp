#include "graph/numerics_rewrite.h"

#include "quant/dq_to_nbits.h"

namespace evalq {
namespace {

int consumers(const Graph& g, int value) {
  int count = 0;
  for (const auto& n : g.nodes) {
    for (int in : n.inputs) count += in == value;
  }
  for (int out : g.outputs) count += out == value;
  return count;
}

const Node* producer(const Graph& g, int value) {
  for (const auto& n : g.nodes) {
    for (int o : n.outputs) {
      if (o == value) return &n;
    }
  }
  return nullptr;
}

Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  return a;
}

int add_constant(Graph& g, const std::string& name, Tensor t) {
  std::string unique = name;
  for (int i = 1; g.find_value(unique); ++i) unique = name + "_" + std::to_string(i);
  int id = g.value_id(unique);
  g.values[id].dtype = t.dtype();
  g.values[id].constant = std::move(t);
  return id;
}

}  // namespace

NumericsRewrite apply_numerics(Graph& g, Numerics numerics) {
  NumericsRewrite done;
  const int level = numerics == Numerics::OrtCpu ? 4 : 0;
  for (auto& n : g.nodes) {
    if (n.domain == "com.microsoft" && n.op_type == "MatMulNBits" && numerics == Numerics::Exact) {
      const Attribute* a = n.attribute("accuracy_level");
      if (a && a->i != 0) {
        n.attributes["accuracy_level"] = int_attr(0);
        ++done.fp32_activations;
      }
      continue;
    }
    if (!n.domain.empty() || n.op_type != "MatMul" || n.inputs.size() != 2) continue;
    const Node* dq = producer(g, n.inputs[1]);
    if (!dq || !dq->domain.empty() || dq->op_type != "DequantizeLinear" || consumers(g, n.inputs[1]) != 1) continue;
    if (dq->inputs.size() < 2 || !g.is_constant(dq->inputs[0]) || !g.is_constant(dq->inputs[1])) continue;
    const Tensor* zp = dq->inputs.size() > 2 && dq->inputs[2] >= 0 ? &g.values[dq->inputs[2]].constant : nullptr;
    if (zp && !zp->defined()) continue;
    const Attribute* axis = dq->attribute("axis");
    const Attribute* block = dq->attribute("block_size");
    if (!block) continue;
    auto fused = nbits_from_blocked_dq(g.values[dq->inputs[0]].constant, g.values[dq->inputs[1]].constant, zp,
                                       axis ? axis->i : 1, block->i);
    if (!fused) continue;
    const std::string base = g.values[dq->inputs[0]].name;
    std::vector<int> inputs{n.inputs[0], add_constant(g, base + "_nbits", fused->b),
                            add_constant(g, base + "_nbits_scales", fused->scales)};
    if (fused->zero_points.defined()) inputs.push_back(add_constant(g, base + "_nbits_zero_points", fused->zero_points));
    n.inputs = inputs;
    n.domain = "com.microsoft";
    n.op_type = "MatMulNBits";
    n.opset = 1;
    n.attributes.clear();
    n.attributes["K"] = int_attr(fused->shape.K);
    n.attributes["N"] = int_attr(fused->shape.N);
    n.attributes["bits"] = int_attr(fused->shape.bits);
    n.attributes["block_size"] = int_attr(fused->shape.block_size);
    n.attributes["accuracy_level"] = int_attr(level);
    ++done.fused_dq_matmuls;
  }
  return done;
}

}  // namespace evalq
