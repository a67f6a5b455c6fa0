#pragma once

// `evalq gate`: runs the metrics a config's checks need (the base once: one kld run serves every
// ppl and kld check) and decides each check. The result document is what --json writes and what
// the reports are rendered from.
#include <nlohmann/json.hpp>

#include "gate/gate_config.h"
#include "metric.h"

namespace evalq {

struct GateRunOptions {
  nlohmann::json extra = nlohmann::json::object();  // machine-local keys for every metric run (data_dir)
  // The base model's distributions for the kld run: read when the file exists (its fingerprints
  // must match the config's data and windows, and it must have been written for BASE), else
  // written by this run. "" = run the base directly.
  std::string base_cache;
  // The base's MMLU per-question results (eval/mmlu/base_results.h): reused when the file holds
  // an entry whose fingerprint matches the check, else scored and saved. "" = score the base.
  std::string mmlu_base_cache;
};

// Throws evalq::Error when a needed metric is missing from this build, or a metric fails.
nlohmann::json run_gate(const GateConfig& config, const ModelSpec& base, const ModelSpec& quant,
                        const GateRunOptions& options);

// "pass" when every check passed.
bool gate_passed(const nlohmann::json& result);

}  // namespace evalq
