#include "model/llm_layout.h"

#include "graph/graph.h"
#include "model/model_config.h"

#include <algorithm>
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

// layer -> the name matching each pattern (empty where none does): (key, value) for separate
// KV tensors, one name for GPT-2 style combined ones.
std::map<int, std::vector<std::string>> layer_names(const std::vector<TensorSpec>& specs,
                                                    const std::vector<std::string>& patterns) {
  std::vector<std::regex> res;
  for (const auto& p : patterns) res.push_back(layer_regex(p));
  std::map<int, std::vector<std::string>> out;
  for (const auto& s : specs) {
    for (size_t i = 0; i < res.size(); ++i) {
      std::smatch m;
      if (!std::regex_match(s.name, m, res[i])) continue;
      auto& names = out[std::stoi(m[1])];
      names.resize(res.size());
      names[i] = s.name;
      break;
    }
  }
  return out;
}

// Whether past and present cover layers 0..L-1 with every name present on both sides; sets `why`
// when they do not.
bool complete_layers(const std::map<int, std::vector<std::string>>& past,
                     const std::map<int, std::vector<std::string>>& present, const std::string& kind,
                     const std::vector<std::string>& past_patterns, const std::vector<std::string>& present_patterns,
                     std::string& why) {
  auto quoted = [](const std::vector<std::string>& patterns) {
    std::string out;
    for (const auto& p : patterns) out += (out.empty() ? "'" : ", '") + p + "'";
    return out;
  };
  if (past.size() != present.size()) {
    why = "the model has " + std::to_string(past.size()) + " " + kind + "past layers (" + quoted(past_patterns) +
          ") but " + std::to_string(present.size()) + " present layers (" + quoted(present_patterns) + ")";
    return false;
  }
  auto complete = [](const std::vector<std::string>& names) {
    return std::none_of(names.begin(), names.end(), [](const std::string& n) { return n.empty(); });
  };
  int expected_layer = 0;
  for (const auto& [layer, names] : past) {
    auto p = present.find(layer);
    if (layer != expected_layer++ || !complete(names) || p == present.end() || !complete(p->second)) {
      why = "the " + kind + "KV-cache inputs/outputs are incomplete at layer " + std::to_string(layer);
      return false;
    }
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

  // GPT-2 style graphs (genai_config past_names) carry one [2, batch, heads, past_length,
  // head_size] tensor per layer; the others a key and a value [batch, heads, past_length, head_size].
  const bool combined = !config.past_combined_pattern.empty();
  const std::vector<std::string> past_patterns =
      combined ? std::vector{config.past_combined_pattern} : std::vector{config.past_key_pattern, config.past_value_pattern};
  const std::vector<std::string> present_patterns =
      combined ? std::vector{config.present_combined_pattern}
               : std::vector{config.present_key_pattern, config.present_value_pattern};
  const auto past = layer_names(inputs, past_patterns);
  const auto present = layer_names(outputs, present_patterns);
  if (!complete_layers(past, present, combined ? "combined " : "", past_patterns, present_patterns, why)) {
    return std::nullopt;
  }
  for (const auto& [layer, names] : past) {
    const auto& out = present.at(layer);
    l.past_keys.push_back(names[0]);
    l.present_keys.push_back(out[0]);
    if (combined) continue;
    l.past_values.push_back(names[1]);
    l.present_values.push_back(out[1]);
  }
  l.combined_kv = combined;
  if (!l.past_keys.empty()) {
    const TensorSpec* kv = find(inputs, l.past_keys[0]);
    const size_t rank = combined ? 5 : 4, heads_axis = rank - 3, head_size_axis = rank - 1;
    if (!kv->has_shape || kv->dims.size() != rank || (combined && kv->dims[0] != 2) || kv->dims[heads_axis] <= 0 ||
        kv->dims[head_size_axis] <= 0) {
      why = std::string(combined ? "combined past input '" : "past input '") + kv->name + "' must be declared " +
            (combined ? "[2, batch, heads, past_length, head_size]" : "[batch, kv_heads, past_length, head_size]") +
            " with fixed heads and head size";
      return std::nullopt;
    }
    l.kv_dtype = kv->dtype;
    l.kv_heads = kv->dims[heads_axis];
    l.head_size = kv->dims[head_size_axis];
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
