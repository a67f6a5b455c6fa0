#pragma once

// `evalq gate`: runs the metrics a config's checks need (the base once: one kld run serves every
// ppl and kld check) and decides each check. The result document is what --json writes and what
// the reports are rendered from.
#include <nlohmann/json.hpp>

#include "gate/gate_config.h"
#include "metric.h"

namespace evalq {

// `likelihood_extra` adds machine-local keys to the kld options (data_dir). Throws evalq::Error
// when a needed metric is missing from this build, or a metric fails.
nlohmann::json run_gate(const GateConfig& config, const ModelSpec& base, const ModelSpec& quant,
                        const nlohmann::json& likelihood_extra);

// "pass" when every check passed.
bool gate_passed(const nlohmann::json& result);

}  // namespace evalq
