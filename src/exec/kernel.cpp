#include "exec/kernel.h"

#include "exec/compiled_graph.h"

namespace evalq {

const Tensor& KernelContext::required_input(size_t i) const {
  const Tensor* t = input(i);
  if (!t) throw Error("node " + node().describe() + ": required input " + std::to_string(i) + " is missing");
  return *t;
}

const Tensor* KernelInfo::constant_input(size_t i) const {
  if (!has_input(i)) return nullptr;
  const Value& v = graph_.values[node_.inputs[i]];
  return v.constant.defined() ? &v.constant : nullptr;
}

DType KernelInfo::input_dtype(size_t i) const {
  if (!has_input(i)) return DType::Undefined;
  return graph_.values[node_.inputs[i]].dtype;
}

void KernelInfo::fail(const std::string& message) const {
  throw Error("node " + node_.describe() + ": " + message);
}

const Attribute& KernelInfo::require(const std::string& name, Attribute::Kind kind) const {
  const Attribute* a = node_.attribute(name);
  if (!a) fail("missing required attribute '" + name + "'");
  if (a->kind != kind) fail("attribute '" + name + "' has the wrong type");
  return *a;
}

int64_t KernelInfo::get_int(const std::string& name, std::optional<int64_t> fallback) const {
  if (fallback && !has_attribute(name)) return *fallback;
  return require(name, Attribute::Kind::Int).i;
}

float KernelInfo::get_float(const std::string& name, std::optional<float> fallback) const {
  if (fallback && !has_attribute(name)) return *fallback;
  return require(name, Attribute::Kind::Float).f;
}

std::string KernelInfo::get_string(const std::string& name, std::optional<std::string> fallback) const {
  if (fallback && !has_attribute(name)) return *fallback;
  return require(name, Attribute::Kind::String).s;
}

std::vector<int64_t> KernelInfo::get_ints(const std::string& name, std::optional<std::vector<int64_t>> fallback) const {
  if (fallback && !has_attribute(name)) return *fallback;
  return require(name, Attribute::Kind::Ints).ints;
}

std::vector<float> KernelInfo::get_floats(const std::string& name, std::optional<std::vector<float>> fallback) const {
  if (fallback && !has_attribute(name)) return *fallback;
  return require(name, Attribute::Kind::Floats).floats;
}

Tensor KernelInfo::get_tensor(const std::string& name) const { return require(name, Attribute::Kind::Tensor).t; }

const CompiledGraph& KernelInfo::get_subgraph(const std::string& name) const {
  require(name, Attribute::Kind::Graph);
  const CompiledGraph* g = subgraph_(name);
  if (!g) fail("subgraph '" + name + "' was not compiled");
  return *g;
}

KernelRegistry& KernelRegistry::instance() {
  static KernelRegistry registry;
  return registry;
}

void KernelRegistry::add(const std::string& domain, const std::string& op_type, int since, int until,
                         KernelFactory factory) {
  entries_[{normalize_domain(domain), op_type}].push_back(Entry{since, until, std::move(factory)});
}

const KernelFactory* KernelRegistry::find(const std::string& domain, const std::string& op_type, int opset) const {
  auto it = entries_.find({normalize_domain(domain), op_type});
  if (it == entries_.end()) return nullptr;
  for (const auto& e : it->second) {
    if (opset >= e.since && opset <= e.until) return &e.factory;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> KernelRegistry::list() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, _] : entries_) out.push_back(key);
  return out;
}

}  // namespace evalq
