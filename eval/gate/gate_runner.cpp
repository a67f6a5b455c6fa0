#include "gate/gate_runner.h"

#include <evalq/error.h>

#include <filesystem>
#include <optional>

#include "common/require_metric.h"
#include "gate/likelihood_checks.h"
#include "gate/mmlu_check.h"
#include "kld/base_logits_cache.h"
#include "mmlu/base_results.h"

namespace evalq {

namespace {

// A cache written for another model would pass the data/window fingerprints: compare the model
// it records (and its simulation, which the cache cannot record) with BASE.
void check_cache_model(const std::string& cache, const ModelSpec& base) {
  if (!base.engine.sim.empty()) throw Error("a base cache cannot stand for a simulated base");
  const nlohmann::json info = BaseCacheReader(cache).header().info;
  const std::string recorded = info.value("model", "");
  std::error_code ec1, ec2;
  const auto a = std::filesystem::weakly_canonical(recorded, ec1), b = std::filesystem::weakly_canonical(base.path, ec2);
  if (ec1 || ec2 || a != b) {
    throw Error(cache + ": this base cache was written for model '" + recorded + "', not '" + base.path + "'");
  }
}

nlohmann::json sim_of(const ModelSpec& spec) { return spec.engine.sim.empty() ? nlohmann::json() : nlohmann::json(spec.engine.sim); }

}  // namespace

nlohmann::json run_gate(const GateConfig& config, const ModelSpec& base, const ModelSpec& quant_in,
                        const GateRunOptions& options) {
  const nlohmann::json& likelihood_extra = options.extra;
  ModelSpec quant = quant_in;
  if (!config.quant_sim.empty()) {
    if (!quant.engine.sim.empty() && quant.engine.sim != config.quant_sim) {
      throw Error("the candidate's simulation is given twice (--sim " + quant.engine.sim + ", config quant_sim " +
                  config.quant_sim + ")");
    }
    quant.engine.sim = config.quant_sim;
  }
  // Fail before any model runs when a check cannot be evaluated at all.
  bool likelihood = false;
  for (const auto& c : config.checks) {
    if (c.metric == "mmlu") require_metric("mmlu");
    likelihood |= c.metric != "mmlu";
  }
  if (likelihood) require_metric("kld");

  nlohmann::json kld_result;
  if (likelihood) {
    MetricRequest request;
    request.models = {base, quant};
    request.options = config.likelihood;
    request.options.update(likelihood_extra);
    if (!options.base_cache.empty()) {
      if (std::filesystem::exists(options.base_cache)) {
        check_cache_model(options.base_cache, base);
        request.models = {quant};
        request.options["base"] = options.base_cache;
      } else {
        request.options["save_base"] = options.base_cache;
      }
    }
    kld_result = MetricRegistry::instance().create("kld")->run(request);
  }

  nlohmann::json checks = nlohmann::json::array();
  nlohmann::json mmlu_results = nlohmann::json::array();
  std::optional<MmluBaseCache> mmlu_cache;
  if (!options.mmlu_base_cache.empty()) {
    if (!base.engine.sim.empty()) throw Error("saved MMLU base results cannot stand for a simulated base");
    mmlu_cache.emplace(options.mmlu_base_cache);
  }
  for (const auto& c : config.checks) {
    if (c.metric == "mmlu") {
      const MetricRequest request = mmlu_request(c, base, quant, likelihood_extra);
      nlohmann::json entry = {{"config_path", c.path}};
      if (mmlu_cache) {
        const MmluBaseCache::Comparison paired = mmlu_cache->compare(base, quant, request.options);
        entry["result"] = paired.result;
        entry["base_results"] = {{"file", options.mmlu_base_cache}, {"reused", paired.reused}};
      } else {
        entry["result"] = MetricRegistry::instance().create("mmlu")->run(request);
      }
      const nlohmann::json& r = entry["result"];
      mmlu_results.push_back(entry);
      checks.push_back(outcome_json(mmlu_outcome(c, mmlu_comparison(r))));
    } else {
      for (const auto& o : likelihood_outcomes(c, kld_result)) checks.push_back(outcome_json(o));
    }
  }
  bool pass = true;
  for (const auto& c : checks) pass &= c["verdict"] == "pass";
  return {{"tool", "evalq gate"},
          {"verdict", pass ? "pass" : "fail"},
          {"base", base.path},
          {"quant", quant.path},
          {"base_sim", sim_of(base)},
          {"quant_sim", sim_of(quant)},
          {"decide", decide_rule_name(config.decide)},
          {"checks", checks},
          {"kld", kld_result},
          {"mmlu", mmlu_results}};
}

bool gate_passed(const nlohmann::json& result) { return result.at("verdict") == "pass"; }

}  // namespace evalq
