#include "metric.h"

#include <evalq/error.h>

namespace evalq {

nlohmann::json Metric::run(const MetricRequest& request) const {
  return finalize({run_partial(request, Shard{})});
}

nlohmann::json Metric::run_partial(const MetricRequest&, const Shard&) const {
  throw Error("metric '" + name() + "' does not support --shard");
}

nlohmann::json Metric::finalize(const std::vector<nlohmann::json>&) const {
  throw Error("metric '" + name() + "' has no partial documents to merge");
}

MetricRegistry& MetricRegistry::instance() {
  static MetricRegistry registry;
  return registry;
}

void MetricRegistry::add(const std::string& name, Factory factory) {
  factories_.emplace_back(name, std::move(factory));
}

std::unique_ptr<Metric> MetricRegistry::create(const std::string& name) const {
  for (const auto& [n, f] : factories_) {
    if (n == name) return f();
  }
  std::string known;
  for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown metric '" + name + "' (known: " + known + ")");
}

std::vector<std::string> MetricRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

nlohmann::json engine_summary(const Model& model) {
  nlohmann::json j = {{"numerics", numerics_name(model.options().numerics)}, {"sim", nullptr}};
  if (!model.options().sim.empty()) {
    j["sim"] = {{"spec", model.options().sim}, {"quantized", model.sim_report().quantized_count()}};
  }
  return j;
}

}  // namespace evalq
