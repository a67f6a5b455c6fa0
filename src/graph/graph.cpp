#include "graph/graph.h"

#include <evalq/error.h>

namespace evalq {

std::string Node::describe() const {
  std::string op = domain.empty() ? op_type : domain + "." + op_type;
  return "'" + (name.empty() ? std::string("<unnamed>") : name) + "' (" + op + ")";
}

const Attribute* Node::attribute(const std::string& attr_name) const {
  auto it = attributes.find(attr_name);
  return it == attributes.end() ? nullptr : &it->second;
}

int64_t Node::int_attribute(const std::string& attr_name, int64_t fallback) const {
  const Attribute* a = attribute(attr_name);
  return a ? a->i : fallback;
}

void Node::become_matmul_nbits(std::vector<int> new_inputs, int64_t K, int64_t N, int64_t bits, int64_t block_size,
                               int64_t accuracy_level) {
  inputs = std::move(new_inputs);
  domain = "com.microsoft";
  op_type = "MatMulNBits";
  opset = 1;
  attributes = {{"K", Attribute::integer(K)},
                {"N", Attribute::integer(N)},
                {"bits", Attribute::integer(bits)},
                {"block_size", Attribute::integer(block_size)},
                {"accuracy_level", Attribute::integer(accuracy_level)}};
}

const Node* Graph::producer(int id) const {
  for (const auto& n : nodes) {
    for (int out : n.outputs) {
      if (out == id) return &n;
    }
  }
  return nullptr;
}

Node* Graph::producer(int id) { return const_cast<Node*>(static_cast<const Graph&>(*this).producer(id)); }

int Graph::consumer_count(int id) const {
  int count = 0;
  for (const auto& n : nodes) {
    for (int in : n.inputs) count += in == id;
  }
  for (int out : outputs) count += out == id;
  return count;
}

int Graph::add_constant(const std::string& value_name, Tensor t) {
  if (find_value(value_name)) throw Error("graph '" + name + "' already has a value named '" + value_name + "'");
  int id = value_id(value_name);
  values[id].dtype = t.dtype();
  std::vector<Dim> dims;
  for (int64_t d : t.shape()) dims.push_back(Dim{d, ""});
  values[id].dims = dims;
  values[id].constant = std::move(t);
  return id;
}

std::string Graph::unused_name(const std::string& base) const {
  std::string candidate = base;
  for (int i = 1; find_value(candidate); ++i) candidate = base + "_" + std::to_string(i);
  return candidate;
}

int Graph::value_id(const std::string& value_name) {
  auto it = value_ids.find(value_name);
  if (it != value_ids.end()) return it->second;
  int id = static_cast<int>(values.size());
  values.push_back(Value{value_name, DType::Undefined, std::nullopt, Tensor{}});
  value_ids.emplace(value_name, id);
  return id;
}

std::optional<int> Graph::find_value(const std::string& value_name) const {
  auto it = value_ids.find(value_name);
  if (it == value_ids.end()) return std::nullopt;
  return it->second;
}

std::string normalize_domain(const std::string& domain) {
  return domain == "ai.onnx" ? std::string() : domain;
}

}  // namespace evalq
