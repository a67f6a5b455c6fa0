#include "metric.h"

#include <evalq/error.h>

#include <iostream>
#include <mutex>
#include <set>

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
    j["sim"] = {{"spec", model.options().sim},
                {"quantized", model.sim_report().quantized_count()},
                {"warnings", model.sim_report().warnings}};
  }
  return j;
}

std::shared_ptr<const Model> load_spec_model(const ModelSpec& spec) {
  auto model = Model::load(spec.path, spec.engine);
  if (spec.engine.sim.empty()) return model;
  static std::mutex mutex;
  static std::set<std::pair<std::string, std::string>> reported;
  const std::lock_guard<std::mutex> lock(mutex);
  if (!reported.insert({spec.path, spec.engine.sim}).second) return model;
  const SimReport& r = model->sim_report();
  std::cerr << "evalq: --sim " << r.spec << ": " << r.quantized_count() << " of " << r.decisions.size()
            << " linear weights quantized in " << spec.path << "\n";
  for (const auto& w : r.warnings) std::cerr << "evalq: warning: " << w << "\n";
  return model;
}

}  // namespace evalq
