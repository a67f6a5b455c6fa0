#include "gate/decision.h"

#include <evalq/error.h>

namespace evalq {

std::string decide_rule_name(DecideRule rule) {
  switch (rule) {
    case DecideRule::Conservative: return "conservative";
    case DecideRule::Point: return "point";
    case DecideRule::Significant: return "significant";
  }
  return "?";
}

DecideRule parse_decide_rule(const std::string& name) {
  if (name == "conservative") return DecideRule::Conservative;
  if (name == "point") return DecideRule::Point;
  if (name == "significant") return DecideRule::Significant;
  throw Error("unknown decision rule '" + name + "' (known: conservative, point, significant)");
}

Decision decide(DecideRule rule, Bound bound, double estimate, const std::optional<Interval>& ci95, double threshold) {
  Decision d;
  if (rule == DecideRule::Point || !ci95) {
    d.decided_on = estimate;
    d.basis = ci95 ? "point estimate" : "point estimate (no CI)";
  } else {
    // The worst side for a Max bound is the upper end; "significant" looks at the best side, which
    // crosses the threshold only when the whole interval does.
    const bool upper = (rule == DecideRule::Conservative) == (bound == Bound::Max);
    d.decided_on = upper ? ci95->hi : ci95->lo;
    d.basis = upper ? "upper 95% bound" : "lower 95% bound";
  }
  d.pass = bound == Bound::Max ? d.decided_on <= threshold : d.decided_on >= threshold;
  return d;
}

}  // namespace evalq
