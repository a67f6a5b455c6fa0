#pragma once

#include <evalq/model.h>

#include <optional>
#include <string>

namespace evalq {

// Finds a decoder-only LLM's inputs, outputs and KV-cache layout from the graph's I/O names
// (Optimum: past_key_values.N.key/value -> present.N.key/value; Model Builder uses the same
// names). Returns nullopt and sets `why` when the graph is not such a model.
std::optional<LlmLayout> detect_llm_layout(const std::vector<TensorSpec>& inputs, const std::vector<TensorSpec>& outputs,
                                           std::string& why);

}  // namespace evalq
