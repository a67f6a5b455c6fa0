#pragma once

// How a check turns an estimate and its 95 % interval into a verdict.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "common/statistics.h"

namespace evalq {

enum class DecideRule {
  Conservative,  // fail when the interval's worst side crosses the threshold
  Point,         // fail when the point estimate crosses it
  Significant,   // fail only when the whole interval lies beyond it (a significant degradation)
};

// Which side of the threshold is acceptable: Max = the quantity must stay <= it, Min = >= it.
enum class Bound { Max, Min };

std::string decide_rule_name(DecideRule rule);
DecideRule parse_decide_rule(const std::string& name);  // throws evalq::Error listing the rules

struct Decision {
  bool pass = false;
  double decided_on = 0;  // the number compared with the threshold
  std::string basis;      // which number that was, in words ("upper 95% bound", ...)
};

// Without an interval every rule decides on the point estimate, and `basis` says so.
Decision decide(DecideRule rule, Bound bound, double estimate, const std::optional<Interval>& ci95, double threshold);

}  // namespace evalq
