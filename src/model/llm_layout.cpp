#include "model/llm_layout.h"

#include "graph/graph.h"
#include "model/model_config.h"

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

// "past_key_values.%d.key" -> a regex whose group 1 is the layer number.
std::regex layer_regex(const std::string& pattern) {
  std::string re;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.compare(i, 2, "%d") == 0) {
      re += "(\\d+)";
      ++i;
    } else if (std::string_view("\\^$.|?*+()[]{}").find(pattern[i]) != std::string_view::npos) {
      re += std::string("\\") + pattern[i];
    } else {
      re += pattern[i];
    }
  }
  return std::regex(re);
}

// layer -> (key name, value name) for names matching the key and value patterns.
std::map<int, std::pair<std::string, std::string>> kv_names(const std::vector<TensorSpec>& specs,
                                                            const std::string& key_pattern,
                                                            const std::string& value_pattern) {
  std::map<int, std::pair<std::string, std::string>> out;
  std::regex key_re = layer_regex(key_pattern), value_re = layer_regex(value_pattern);
  for (const auto& s : specs) {
    std::smatch m;
    if (std::regex_match(s.name, m, key_re)) out[std::stoi(m[1])].first = s.name;
    else if (std::regex_match(s.name, m, value_re)) out[std::stoi(m[1])].second = s.name;
  }
  return out;
}

// layer -> name for names matching a combined key/value pattern.
std::map<int, std::string> layer_names(const std::vector<TensorSpec>& specs, const std::string& pattern) {
  std::map<int, std::string> out;
  std::regex re = layer_regex(pattern);
  for (const auto& s : specs) {
    std::smatch m;
    if (std::regex_match(s.name, m, re)) out[std::stoi(m[1])] = s.name;
  }
  return out;
}

// Fills the combined past/present names of GPT-2 style graphs; false with `why` set when the
// layers are incomplete or the past is not declared [2, batch, heads, past_length, head_size].
bool detect_combined_kv(const std::vector<TensorSpec>& inputs, const std::vector<TensorSpec>& outputs,
                        const ModelConfig& config, LlmLayout& l, std::string& why) {
  auto past = layer_names(inputs, config.past_combined_pattern);
  auto present = layer_names(outputs, config.present_combined_pattern);
  if (past.size() != present.size()) {
    why = "the model has " + std::to_string(past.size()) + " combined past layers ('" + config.past_combined_pattern +
          "') but " + std::to_string(present.size()) + " present layers ('" + config.present_combined_pattern + "')";
    return false;
  }
  int expected_layer = 0;
  for (const auto& [layer, name] : past) {
    if (layer != expected_layer++ || !present.count(layer)) {
      why = "the combined KV-cache inputs/outputs are incomplete at layer " + std::to_string(layer);
      return false;
    }
    l.past_keys.push_back(name);
    l.present_keys.push_back(present[layer]);
  }
  l.combined_kv = true;
  if (!l.past_keys.empty()) {
    const TensorSpec* kv = find(inputs, l.past_keys[0]);
    if (!kv->has_shape || kv->dims.size() != 5 || kv->dims[0] != 2 || kv->dims[2] <= 0 || kv->dims[4] <= 0) {
      why = "combined past input '" + kv->name +
            "' must be declared [2, batch, heads, past_length, head_size] with fixed heads and head size";
      return false;
    }
    l.kv_dtype = kv->dtype;
    l.kv_heads = kv->dims[2];
    l.head_size = kv->dims[4];
  }
  return true;
}

}  // namespace

TensorSpec tensor_spec_of(const Value& v) {
  TensorSpec s;
  s.name = v.name;
  s.dtype = v.dtype;
  if (v.dims) {
    s.has_shape = true;
    for (const auto& d : *v.dims) {
      s.dims.push_back(d.value);
      s.symbols.push_back(d.symbol);
    }
  }
  return s;
}

std::optional<LlmLayout> detect_llm_layout(const std::vector<TensorSpec>& inputs, const std::vector<TensorSpec>& outputs,
                                           const ModelConfig& config, std::string& why) {
  LlmLayout l;
  if (!find(inputs, config.input_ids)) {
    why = "the model has no '" + config.input_ids + "' input, so it is not a decoder-only LLM evalq can feed";
    return std::nullopt;
  }
  l.input_ids = config.input_ids;
  if (find(inputs, config.attention_mask)) l.attention_mask = config.attention_mask;
  if (find(inputs, config.position_ids)) l.position_ids = config.position_ids;
  if (find(inputs, "use_cache_branch")) l.use_cache_branch = "use_cache_branch";
  l.context_length = config.context_length;
  l.bos_id = config.bos_id;
  l.pad_id = config.pad_id;
  l.eos_ids = config.eos_ids;
  const TensorSpec* logits = find(outputs, config.logits);
  if (!logits) {
    why = "the model has no '" + config.logits + "' output";
    return std::nullopt;
  }
  l.logits = logits->name;
  if (logits->has_shape && !logits->dims.empty() && logits->dims.back() > 0) l.vocab_size = logits->dims.back();
  if (l.vocab_size == 0) l.vocab_size = config.vocab_size;

  if (!config.past_combined_pattern.empty()) {
    if (!detect_combined_kv(inputs, outputs, config, l, why)) return std::nullopt;
    return l;
  }
  auto past = kv_names(inputs, config.past_key_pattern, config.past_value_pattern);
  auto present = kv_names(outputs, config.present_key_pattern, config.present_value_pattern);
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

GraphLayout graph_layout(const Graph& graph, const std::filesystem::path& onnx_path) {
  GraphLayout out;
  for (int id : graph.inputs) out.inputs.push_back(tensor_spec_of(graph.values[id]));
  for (int id : graph.outputs) out.outputs.push_back(tensor_spec_of(graph.values[id]));
  out.llm = detect_llm_layout(out.inputs, out.outputs, read_model_config(onnx_path.parent_path()), out.not_llm_reason);
  return out;
}

}  // namespace evalq
