#include "gate/check_outcome.h"

#include <evalq/error.h>

#include <cstdio>

namespace evalq {

CheckOutcome decided(CheckOutcome o) {
  o.decision = decide(o.rule, o.bound, o.estimate, o.ci95, o.threshold);
  return o;
}

nlohmann::json outcome_json(const CheckOutcome& o) {
  return {{"id", o.id},
          {"metric", o.metric},
          {"config_path", o.config_path},
          {"quantity", o.quantity},
          {"estimate", o.estimate},
          {"ci95", o.ci95 ? nlohmann::json({o.ci95->lo, o.ci95->hi}) : nlohmann::json(nullptr)},
          {"ci_method", o.ci95 ? nlohmann::json(o.ci_method) : nlohmann::json(nullptr)},
          {"bound", o.bound == Bound::Max ? "max" : "min"},
          {"threshold", o.threshold},
          {"rule", decide_rule_name(o.rule)},
          {"decided_on", o.decision.decided_on},
          {"basis", o.decision.basis},
          {"verdict", o.decision.pass ? "pass" : "fail"}};
}

std::string gate_number(double value) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

std::string interval_text(const std::string& lo, const std::string& hi) {
  // Appended, not "literal" + std::string&&: GCC 12 warns falsely there (-Wrestrict, bug 105329).
  std::string s = "[";
  s += lo;
  s += ", ";
  s += hi;
  s += ']';
  return s;
}

double result_number(const nlohmann::json& result, const std::string& pointer, const std::string& metric) {
  const nlohmann::json::json_pointer key(pointer);
  if (!result.contains(key) || !result.at(key).is_number()) {
    throw Error("the " + metric + " result has no number at '" + pointer + "' (needed by the gate)");
  }
  return result.at(key).get<double>();
}

std::string outcome_line(const nlohmann::json& o) {
  std::string ci = "(no CI)";
  if (!o["ci95"].is_null()) ci = interval_text(gate_number(o["ci95"][0]), gate_number(o["ci95"][1]));
  const std::string op = o["bound"] == "max" ? "<=" : ">=";
  return std::string(o["verdict"] == "pass" ? "PASS " : "FAIL ") + o["id"].get<std::string>() + "  " +
         o["quantity"].get<std::string>() + " " + gate_number(o["estimate"]) + " " + ci + ", required " + op + " " +
         gate_number(o["threshold"]) + " (" + o["rule"].get<std::string>() + ": " + o["basis"].get<std::string>() +
         " " + gate_number(o["decided_on"]) + ")";
}

}  // namespace evalq
