#pragma once

// The metric plug-in interface: ppl, kld, mmlu, ... each implement Metric and register by name.
// The CLI and `evalq gate` both drive metrics through it, with the same option keys.
#include <evalq/model.h>
#include <evalq/options.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/shard.h"

namespace evalq {

// A model as named on the command line or in a gate config, with the engine options it runs under
// (numerics, and later a simulation spec).
struct ModelSpec {
  std::string path;
  EngineOptions engine;
};

// One metric run. `options` holds the metric's own keys (e.g. {"seq":[1024],"chunk":512}); a metric
// rejects keys it does not know, so a typo in a gate config cannot silently change what is measured.
struct MetricRequest {
  std::vector<ModelSpec> models;
  nlohmann::json options = nlohmann::json::object();
};

class Metric {
 public:
  virtual ~Metric() = default;
  virtual std::string name() const = 0;
  // The result document (what `--json` writes). Throws evalq::Error on bad input. Metrics that
  // shard compute it as finalize({run_partial(request, whole run)}), so a merged sharded run and
  // an unsharded one go through the same arithmetic.
  virtual nlohmann::json run(const MetricRequest& request) const;
  // The partial document (common/shard.h) for one shard of the run. Throws for metrics that
  // do not shard.
  virtual nlohmann::json run_partial(const MetricRequest& request, const Shard& shard) const;
  // The result document from all parts of one run, checked and sorted by order_parts.
  virtual nlohmann::json finalize(const std::vector<nlohmann::json>& parts) const;
  // The human-readable table, rendered from the result document so both always agree.
  virtual std::string render_table(const nlohmann::json& result) const = 0;
};

// What a result document records about how a model was run: {"numerics": ..., "sim": null or
// {"spec": ..., "quantized": N}}, so a simulated result is never mistaken for a genuine one.
nlohmann::json engine_summary(const Model& model);

// Loads a model under its engine options. What a simulation did (how many linear weights it
// quantized) and its warnings (rules that matched nothing, ...) go to stderr, once per model and
// spec in this process, so every command that runs a --sim model says so, not only its JSON.
std::shared_ptr<const Model> load_spec_model(const ModelSpec& spec);

class MetricRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Metric>()>;
  static MetricRegistry& instance();
  void add(const std::string& name, Factory factory);
  // Throws evalq::Error listing the known metrics when `name` is unknown.
  std::unique_ptr<Metric> create(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, Factory>> factories_;
};

struct MetricRegistration {
  MetricRegistration(const char* name, MetricRegistry::Factory factory) {
    MetricRegistry::instance().add(name, std::move(factory));
  }
};

#define EVALQ_REGISTER_METRIC(name, MetricClass)                                          \
  static const ::evalq::MetricRegistration evalq_metric_registration_##MetricClass{name, \
      [] { return std::unique_ptr<::evalq::Metric>(new MetricClass()); }}

}  // namespace evalq
