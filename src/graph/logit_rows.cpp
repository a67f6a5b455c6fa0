#include "graph/logit_rows.h"

namespace evalq {
namespace {

Node* producer_of(Graph& g, int id) {
  for (auto& n : g.nodes) {
    for (int out : n.outputs) {
      if (out == id) return &n;
    }
  }
  return nullptr;
}

int consumer_count(const Graph& g, int id) {
  int count = 0;
  for (const auto& n : g.nodes) {
    for (int in : n.inputs) count += in == id;
  }
  for (int out : g.outputs) count += out == id;
  return count;
}

// A weight is constant, or a DequantizeLinear of a constant (QDQ models).
bool is_weight(Graph& g, int id) {
  if (g.is_constant(id)) return true;
  const Node* dq = producer_of(g, id);
  return dq && dq->domain.empty() && dq->op_type == "DequantizeLinear" && !dq->inputs.empty() &&
         g.is_constant(dq->inputs[0]);
}

bool is_lm_head(const Node& n, Graph& g) {
  bool matmul = (n.domain.empty() && n.op_type == "MatMul") || (n.domain == "com.microsoft" && n.op_type == "MatMulNBits");
  return matmul && n.inputs.size() >= 2 && is_weight(g, n.inputs[1]);
}

}  // namespace

bool select_logit_rows(Graph& g, const std::string& logits) {
  auto logits_id = g.find_value(logits);
  if (!logits_id) return false;
  Node* head = producer_of(g, *logits_id);
  if (head && head->domain.empty() && head->op_type == "Cast" && consumer_count(g, head->inputs[0]) == 1) {
    head = producer_of(g, head->inputs[0]);
  }
  if (!head || !is_lm_head(*head, g)) return false;
  const int hidden = head->inputs[0];
  if (hidden < 0 || g.values[hidden].constant.defined()) return false;
  if (g.values[hidden].dims && g.values[hidden].dims->size() != 3) return false;

  const int rows = g.value_id(kLogitRowsInput);
  g.values[rows].dtype = DType::Int64;
  g.values[rows].dims = std::vector<Dim>{Dim{-1, "rows"}};
  g.inputs.push_back(rows);
  const int gathered = g.value_id(g.values[hidden].name + "/evalq_scored_rows");
  Node gather;
  gather.name = head->name + "/evalq_select_rows";
  gather.op_type = "Gather";
  gather.opset = 13;
  gather.inputs = {hidden, rows};
  gather.outputs = {gathered};
  Attribute axis;
  axis.kind = Attribute::Kind::Int;
  axis.i = 1;
  gather.attributes["axis"] = axis;
  head->inputs[0] = gathered;
  g.nodes.push_back(std::move(gather));
  return true;
}

}  // namespace evalq
