#include "graph/logit_rows.h"

#include "graph/linear_weight.h"

namespace evalq {
namespace {

// The logits come from a MatMul (or MatMulNBits) with the vocabulary projection as its weight.
bool is_lm_head(const Node& n, const Graph& g) { return n.op_type != "Gemm" && linear_weight(g, n).has_value(); }

}  // namespace

bool select_logit_rows(Graph& g, const std::string& logits) {
  auto logits_id = g.find_value(logits);
  if (!logits_id) return false;
  Node* head = g.producer(*logits_id);
  if (head && head->domain.empty() && head->op_type == "Cast" && g.consumer_count(head->inputs[0]) == 1) {
    head = g.producer(head->inputs[0]);
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
  gather.attributes["axis"] = Attribute::integer(1);
  head->inputs[0] = gathered;
  g.nodes.push_back(std::move(gather));
  return true;
}

}  // namespace evalq
