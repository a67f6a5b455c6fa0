#pragma once

// One decided check: what was measured, its interval, the threshold and the verdict. The gate's
// stdout line, its JSON and its reports are all rendered from this (via the JSON), so they agree.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "gate/decision.h"

namespace evalq {

struct CheckOutcome {
  std::string id;        // "<metric>.<threshold key>", e.g. "kld.max_mean"
  std::string metric;
  std::string quantity;  // in words, e.g. "mean KLD"
  std::string config_path;  // e.g. "checks[1]"
  Bound bound = Bound::Max;
  double threshold = 0;
  DecideRule rule = DecideRule::Conservative;
  double estimate = 0;
  std::optional<Interval> ci95;
  std::string ci_method;  // how the interval was obtained; "" without one
  Decision decision;
};

// Decides the outcome (fills `decision` from the other fields).
CheckOutcome decided(CheckOutcome outcome);

nlohmann::json outcome_json(const CheckOutcome& outcome);

// The stdout line: "PASS kld.max_mean  mean KLD 0.0123 [0.0101, 0.0145] <= 0.05 (conservative: upper 95% bound 0.0145)".
std::string outcome_line(const nlohmann::json& outcome);

// The number format every gate output uses, so a report and the JSON show the same digits.
std::string gate_number(double value);

// "[lo, hi]" of two already formatted numbers.
std::string interval_text(const std::string& lo, const std::string& hi);

// The number at JSON `pointer` of a `metric` result the gate reads; evalq::Error when absent.
double result_number(const nlohmann::json& result, const std::string& pointer, const std::string& metric);

}  // namespace evalq
