#pragma once

#include <evalq/model.h>

#include <filesystem>
#include <optional>
#include <string>

namespace evalq {

struct Graph;
struct ModelConfig;
struct Value;

// The public description of a graph input or output.
TensorSpec tensor_spec_of(const Value& v);

// Finds a decoder-only LLM's inputs, outputs and KV-cache layout from the graph's I/O names as
// the folder's config names them (genai_config.json maps; Optimum's past_key_values.N.key/value ->
// present.N.key/value by default), plus context length and special ids from the config. Returns
// nullopt and sets `why` when the graph is not such a model.
std::optional<LlmLayout> detect_llm_layout(const std::vector<TensorSpec>& inputs, const std::vector<TensorSpec>& outputs,
                                           const ModelConfig& config, std::string& why);

// A loaded graph's inputs and outputs, and its LLM layout read with the config beside `onnx_path`.
struct GraphLayout {
  std::vector<TensorSpec> inputs, outputs;
  std::optional<LlmLayout> llm;
  std::string not_llm_reason;  // when llm is empty
};
GraphLayout graph_layout(const Graph& graph, const std::filesystem::path& onnx_path);

}  // namespace evalq
