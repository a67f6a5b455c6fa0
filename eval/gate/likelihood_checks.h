#pragma once

// The ppl and kld checks, decided from one `kld` result document (BASE vs QUANT on identical
// windows: it holds both perplexities, their paired log-ratio and the KLD statistics).
#include <nlohmann/json.hpp>

#include <vector>

#include "gate/check_outcome.h"
#include "gate/gate_config.h"

namespace evalq {

// Throws evalq::Error when the document lacks a key a check needs.
std::vector<CheckOutcome> likelihood_outcomes(const GateCheckConfig& check, const nlohmann::json& kld_result);

}  // namespace evalq
