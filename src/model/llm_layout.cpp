#include "model/llm_layout.h"

#include <map>
#include <regex>

namespace evalq {
namespace {

const TensorSpec* find(const std::vector<TensorSpec>& specs, const std::string& name) {
  for (const auto& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// layer -> (key name, value name) for names matching `pattern` (groups: layer, key|value).
std::map<int, std::pair<std::string, std::string>> kv_names(const std::vector<TensorSpec>& specs, const std::regex& pattern) {
  std::map<int, std::pair<std::string, std::string>> out;
  for (const auto& s : specs) {
    std::smatch m;
    if (!std::regex_match(s.name, m, pattern)) continue;
    int layer = std::stoi(m[1]);
    (m[2] == "key" ? out[layer].first : out[layer].second) = s.name;
  }
  return out;
}

}  // namespace

std::optional<LlmLayout> detect_llm_layout(const std::vector<TensorSpec>& inputs, const std::vector<TensorSpec>& outputs,
                                           std::string& why) {
  LlmLayout l;
  if (!find(inputs, "input_ids")) {
    why = "the model has no 'input_ids' input, so it is not a decoder-only LLM evalq can feed";
    return std::nullopt;
  }
  l.input_ids = "input_ids";
  if (find(inputs, "attention_mask")) l.attention_mask = "attention_mask";
  if (find(inputs, "position_ids")) l.position_ids = "position_ids";
  if (find(inputs, "use_cache_branch")) l.use_cache_branch = "use_cache_branch";
  const TensorSpec* logits = find(outputs, "logits");
  if (!logits) {
    why = "the model has no 'logits' output";
    return std::nullopt;
  }
  l.logits = logits->name;
  if (logits->has_shape && !logits->dims.empty() && logits->dims.back() > 0) l.vocab_size = logits->dims.back();

  auto past = kv_names(inputs, std::regex(R"(past_key_values\.(\d+)\.(key|value))"));
  auto present = kv_names(outputs, std::regex(R"(present\.(\d+)\.(key|value))"));
  if (past.size() != present.size()) {
    why = "the model has " + std::to_string(past.size()) + " past layers but " + std::to_string(present.size()) +
          " present layers";
    return std::nullopt;
  }
  int expected_layer = 0;
  for (const auto& [layer, names] : past) {
    if (layer != expected_layer++ || names.first.empty() || names.second.empty() || !present.count(layer) ||
        present[layer].first.empty() || present[layer].second.empty()) {
      why = "the KV-cache inputs/outputs are incomplete at layer " + std::to_string(layer);
      return std::nullopt;
    }
    l.past_keys.push_back(names.first);
    l.past_values.push_back(names.second);
    l.present_keys.push_back(present[layer].first);
    l.present_values.push_back(present[layer].second);
  }
  if (!l.past_keys.empty()) {
    const TensorSpec* k = find(inputs, l.past_keys[0]);
    if (!k->has_shape || k->dims.size() != 4 || k->dims[1] <= 0 || k->dims[3] <= 0) {
      why = "past input '" + k->name + "' must be declared [batch, kv_heads, past_length, head_size] with fixed heads and head size";
      return std::nullopt;
    }
    l.kv_dtype = k->dtype;
    l.kv_heads = k->dims[1];
    l.head_size = k->dims[3];
  }
  return l;
}

}  // namespace evalq
