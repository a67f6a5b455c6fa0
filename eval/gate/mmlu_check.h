#pragma once

// The gate's side of the mmlu check: how it asks the `mmlu` metric for BASE vs QUANT and what it
// reads back. The metric's result keys are read in mmlu_comparison() only, so adapting the gate to
// the metric's document is a change to that one function.
#include <nlohmann/json.hpp>

#include <cstdint>

#include "common/statistics.h"
#include "gate/check_outcome.h"
#include "gate/gate_config.h"
#include "metric.h"

namespace evalq {

struct MmluComparison {
  double base_accuracy = 0;   // fraction of questions answered correctly
  double quant_accuracy = 0;
  double drop_points = 0;     // 100 · (base − quant): positive = the candidate got worse
  Interval drop_ci95_points;  // 95 % interval of the paired difference, in the same orientation
  int64_t questions = 0;
};

// Models {BASE, QUANT}; the check's data, shots, protocol, subjects (omitted for "all") and limit
// (omitted for null = every question), plus `extra` (data_dir).
MetricRequest mmlu_request(const GateCheckConfig& check, const ModelSpec& base, const ModelSpec& quant,
                           const nlohmann::json& extra);

// Reads the two-model document's `comparison`: accuracy_base, accuracy_quant, difference
// (quant − base, fraction) with its paired ci95 [lo, hi], and n. Throws evalq::Error naming a
// missing key.
MmluComparison mmlu_comparison(const nlohmann::json& result);

// Decides max_drop_points on the drop's interval.
CheckOutcome mmlu_outcome(const GateCheckConfig& check, const MmluComparison& comparison);

}  // namespace evalq
