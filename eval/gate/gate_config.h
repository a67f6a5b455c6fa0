#pragma once

// The release-gate configuration (docs/gate.md): shared data/window keys, the decision rule and
// the checks. Every key is validated; an unknown key anywhere is an error naming its path, so a
// typo cannot silently disable a check.
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "gate/decision.h"

namespace evalq {

struct GateCheckConfig {
  std::string metric;  // "ppl", "kld" or "mmlu"
  std::string path;    // where it sits in the config, e.g. "checks[1]"
  DecideRule decide = DecideRule::Conservative;
  std::vector<std::pair<std::string, double>> thresholds;  // in schema order, e.g. {"max_mean", 0.05}
  nlohmann::json options = nlohmann::json::object();       // mmlu: data, shots, subjects, limit, protocol
};

struct GateConfig {
  // Options of the kld run behind the ppl and kld checks (data, seq, chunk, max_windows, ...).
  nlohmann::json likelihood = nlohmann::json::object();
  DecideRule decide = DecideRule::Conservative;
  std::string quant_sim;  // simulate the candidate (docs/sim.md), "" = run it as it is
  std::vector<GateCheckConfig> checks;
};

// `source` names the config in error messages (the file path).
GateConfig parse_gate_config(const nlohmann::json& config, const std::string& source);
// The config file's JSON (throws evalq::Error naming the file when it is unreadable or not JSON).
nlohmann::json read_gate_config(const std::string& path);

}  // namespace evalq
