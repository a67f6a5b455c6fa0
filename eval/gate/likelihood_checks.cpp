#include "gate/likelihood_checks.h"

#include <evalq/error.h>

#include <cmath>

namespace evalq {

namespace {

double number_at(const nlohmann::json& doc, const nlohmann::json::json_pointer& key) {
  return result_number(doc, key.to_string(), "kld");
}

// The window-jackknife error accounts for the correlation of neighbouring tokens; with one window
// it does not exist and the token-independence error is the only one left.
std::pair<double, std::string> stderr_of(const nlohmann::json& r, const std::string& jackknife_key, const std::string& naive_key) {
  const nlohmann::json::json_pointer windows("/windows");
  if (number_at(r, windows) >= 2) return {number_at(r, nlohmann::json::json_pointer(jackknife_key)), "window jackknife"};
  return {number_at(r, nlohmann::json::json_pointer(naive_key)), "independent tokens (one window: no jackknife)"};
}

CheckOutcome base_outcome(const GateCheckConfig& check, const std::string& key, double threshold) {
  CheckOutcome o;
  o.id = check.metric + "." + key;
  o.metric = check.metric;
  o.config_path = check.path;
  o.threshold = threshold;
  o.rule = check.decide;
  o.bound = key.rfind("min_", 0) == 0 ? Bound::Min : Bound::Max;
  return o;
}

}  // namespace

std::vector<CheckOutcome> likelihood_outcomes(const GateCheckConfig& check, const nlohmann::json& r) {
  using Ptr = nlohmann::json::json_pointer;
  std::vector<CheckOutcome> out;
  for (const auto& [key, threshold] : check.thresholds) {
    CheckOutcome o = base_outcome(check, key, threshold);
    if (key == "max_ratio") {
      // exp of the paired mean log-ratio and of its interval: the ratio's interval is asymmetric.
      const double ln = number_at(r, Ptr("/ln_ppl_ratio"));
      const auto [se, method] = stderr_of(r, "/ln_ppl_ratio_stderr_jackknife", "/ln_ppl_ratio_stderr");
      o.quantity = "PPL(quant)/PPL(base)";
      o.estimate = std::exp(ln);
      const Interval ln_ci = normal_ci95({ln, se});
      o.ci95 = Interval{std::exp(ln_ci.lo), std::exp(ln_ci.hi)};
      o.ci_method = "exp(ln ratio ± 1.96 se), se: " + method;
    } else if (key == "max_mean") {
      const double mean = number_at(r, Ptr("/kld/mean"));
      const auto [se, method] = stderr_of(r, "/kld/stderr_jackknife", "/kld/stderr");
      o.quantity = "mean KLD";
      o.estimate = mean;
      o.ci95 = normal_ci95({mean, se});
      o.ci_method = "mean ± 1.96 se, se: " + method;
    } else if (key == "min_top1") {
      const double p = number_at(r, Ptr("/top1_agreement"));
      const auto [se, method] = stderr_of(r, "/top1_agreement_stderr_jackknife", "/top1_agreement_stderr");
      o.quantity = "top-1 agreement";
      o.estimate = p;
      o.ci95 = normal_ci95({p, se});
      o.ci_method = "p ± 1.96 se, se: " + method;
    } else if (key == "max_p99") {
      // An order statistic: no interval is computed, every rule compares the point estimate.
      o.quantity = "99th percentile of KLD";
      o.estimate = number_at(r, Ptr("/kld/p99"));
    } else {
      throw Error("the gate has no rule for threshold '" + key + "'");
    }
    out.push_back(decided(o));
  }
  return out;
}

}  // namespace evalq
