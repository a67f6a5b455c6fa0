#include "gate/mmlu_check.h"

#include <evalq/error.h>

namespace evalq {

namespace {

double number_at(const nlohmann::json& doc, const std::string& pointer) { return result_number(doc, pointer, "mmlu"); }

}  // namespace

MetricRequest mmlu_request(const GateCheckConfig& check, const ModelSpec& base, const ModelSpec& quant,
                           const nlohmann::json& extra) {
  MetricRequest request;
  request.models = {base, quant};
  for (const auto& [key, value] : check.options.items()) {
    if (key == "subjects" && value == "all") continue;
    if (key == "limit" && value.is_null()) continue;
    request.options[key] = value;
  }
  request.options.update(extra);
  return request;
}

MmluComparison mmlu_comparison(const nlohmann::json& r) {
  MmluComparison c;
  c.base_accuracy = number_at(r, "/comparison/accuracy_base");
  c.quant_accuracy = number_at(r, "/comparison/accuracy_quant");
  const double diff = number_at(r, "/comparison/difference");
  const double lo = number_at(r, "/comparison/ci95/0"), hi = number_at(r, "/comparison/ci95/1");
  // quant − base turned into a drop: the interval flips.
  c.drop_points = -100 * diff;
  c.drop_ci95_points = {-100 * hi, -100 * lo};
  c.questions = static_cast<int64_t>(number_at(r, "/comparison/n"));
  return c;
}

CheckOutcome mmlu_outcome(const GateCheckConfig& check, const MmluComparison& c) {
  CheckOutcome o;
  o.id = "mmlu.max_drop_points";
  o.metric = "mmlu";
  o.config_path = check.path;
  o.quantity = "accuracy drop (points)";
  o.bound = Bound::Max;
  o.threshold = check.thresholds.at(0).second;
  o.rule = check.decide;
  o.estimate = c.drop_points;
  o.ci95 = c.drop_ci95_points;
  o.ci_method = "paired difference over questions (mmlu metric)";
  return decided(o);
}

}  // namespace evalq
