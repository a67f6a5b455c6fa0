#pragma once

// The side files a model folder carries next to its ONNX graph: ONNX Runtime GenAI's
// genai_config.json (Model Builder) or Hugging Face's config.json (Optimum exports). They name the
// graph's inputs/outputs and give what the graph itself cannot: context length and special ids.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace evalq {

struct ModelConfig {
  std::filesystem::path source;  // the file read, empty when none was found
  int64_t context_length = 0;
  int64_t vocab_size = 0;
  std::optional<int64_t> bos_id, pad_id;
  std::vector<int64_t> eos_ids;
  // genai_config decoder.inputs / outputs name maps (printf patterns with %d for KV names).
  std::string input_ids = "input_ids", attention_mask = "attention_mask", position_ids = "position_ids";
  std::string logits = "logits";
  std::string past_key_pattern = "past_key_values.%d.key", past_value_pattern = "past_key_values.%d.value";
  std::string present_key_pattern = "present.%d.key", present_value_pattern = "present.%d.value";
  // GPT-2 style combined KV (past_names / present_names): one [2, batch, heads, length, head_size]
  // tensor per layer, keys at index 0 and values at 1. Empty when the config names separate K/V.
  std::string past_combined_pattern, present_combined_pattern;
  std::string onnx_filename;  // decoder.filename
};

// Reads genai_config.json, else config.json, from `folder`; an empty config when neither exists.
// Throws evalq::Error naming the file and JSON path on malformed content.
ModelConfig read_model_config(const std::filesystem::path& folder);

}  // namespace evalq
