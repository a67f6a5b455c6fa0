#include "graph/graph.h"

namespace evalq {

std::string Node::describe() const {
  std::string op = domain.empty() ? op_type : domain + "." + op_type;
  return "'" + (name.empty() ? std::string("<unnamed>") : name) + "' (" + op + ")";
}

const Attribute* Node::attribute(const std::string& attr_name) const {
  auto it = attributes.find(attr_name);
  return it == attributes.end() ? nullptr : &it->second;
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
