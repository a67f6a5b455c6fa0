#include "gate/gate_runner.h"

#include <evalq/error.h>

#include "common/require_metric.h"
#include "gate/likelihood_checks.h"
#include "gate/mmlu_check.h"

namespace evalq {

namespace {

nlohmann::json sim_of(const ModelSpec& spec) { return spec.engine.sim.empty() ? nlohmann::json() : nlohmann::json(spec.engine.sim); }

}  // namespace

nlohmann::json run_gate(const GateConfig& config, const ModelSpec& base, const ModelSpec& quant_in,
                        const nlohmann::json& likelihood_extra) {
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
    kld_result = MetricRegistry::instance().create("kld")->run(request);
  }

  nlohmann::json checks = nlohmann::json::array();
  nlohmann::json mmlu_results = nlohmann::json::array();
  for (const auto& c : config.checks) {
    if (c.metric == "mmlu") {
      const nlohmann::json r = MetricRegistry::instance().create("mmlu")->run(mmlu_request(c, base, quant));
      mmlu_results.push_back({{"config_path", c.path}, {"result", r}});
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
