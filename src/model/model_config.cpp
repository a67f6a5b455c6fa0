#include "model/model_config.h"

#include <evalq/error.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace evalq {
namespace {

using nlohmann::json;

// Reads an optional integer at `key` of `obj`; `where` names the JSON path for errors.
std::optional<int64_t> opt_int(const json& obj, const char* key, const fs::path& file, const std::string& where) {
  if (!obj.is_object() || !obj.contains(key) || obj[key].is_null()) return std::nullopt;
  const json& v = obj[key];
  if (!v.is_number_integer()) {
    throw Error(file.string() + ": " + where + key + " must be an integer, got " + v.dump());
  }
  return v.get<int64_t>();
}

std::string opt_string(const json& obj, const char* key, const std::string& fallback, const fs::path& file,
                       const std::string& where) {
  if (!obj.is_object() || !obj.contains(key)) return fallback;
  if (!obj[key].is_string()) throw Error(file.string() + ": " + where + key + " must be a string");
  return obj[key].get<std::string>();
}

// eos_token_id may be one id or a list of ids.
std::vector<int64_t> eos_list(const json& obj, const fs::path& file, const std::string& where) {
  std::vector<int64_t> ids;
  if (!obj.contains("eos_token_id") || obj["eos_token_id"].is_null()) return ids;
  const json& v = obj["eos_token_id"];
  if (v.is_number_integer()) {
    ids.push_back(v.get<int64_t>());
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_number_integer()) throw Error(file.string() + ": " + where + "eos_token_id must hold integers");
      ids.push_back(e.get<int64_t>());
    }
  } else {
    throw Error(file.string() + ": " + where + "eos_token_id must be an integer or a list of integers");
  }
  return ids;
}

json parse(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(file.string() + ": invalid JSON: " + e.what());
  }
}

ModelConfig read_genai(const fs::path& file) {
  json root = parse(file);
  ModelConfig c;
  c.source = file;
  if (!root.contains("model") || !root["model"].is_object()) throw Error(file.string() + ": missing object 'model'");
  const json& m = root["model"];
  c.context_length = opt_int(m, "context_length", file, "model.").value_or(0);
  c.vocab_size = opt_int(m, "vocab_size", file, "model.").value_or(0);
  c.bos_id = opt_int(m, "bos_token_id", file, "model.");
  c.pad_id = opt_int(m, "pad_token_id", file, "model.");
  c.eos_ids = eos_list(m, file, "model.");
  if (!m.contains("decoder") || !m["decoder"].is_object()) throw Error(file.string() + ": missing object 'model.decoder'");
  const json& d = m["decoder"];
  c.onnx_filename = opt_string(d, "filename", "", file, "model.decoder.");
  if (d.contains("inputs")) {
    const json& in = d["inputs"];
    const std::string w = "model.decoder.inputs.";
    c.input_ids = opt_string(in, "input_ids", c.input_ids, file, w);
    c.attention_mask = opt_string(in, "attention_mask", c.attention_mask, file, w);
    c.position_ids = opt_string(in, "position_ids", c.position_ids, file, w);
    c.past_combined_pattern = opt_string(in, "past_names", "", file, w);
    c.past_key_pattern = opt_string(in, "past_key_names", c.past_key_pattern, file, w);
    c.past_value_pattern = opt_string(in, "past_value_names", c.past_value_pattern, file, w);
  }
  if (d.contains("outputs")) {
    const json& out = d["outputs"];
    const std::string w = "model.decoder.outputs.";
    c.logits = opt_string(out, "logits", c.logits, file, w);
    c.present_key_pattern = opt_string(out, "present_key_names", c.present_key_pattern, file, w);
    c.present_value_pattern = opt_string(out, "present_value_names", c.present_value_pattern, file, w);
    c.present_combined_pattern = opt_string(out, "present_names", "", file, w);
  }
  if (c.past_combined_pattern.empty() != c.present_combined_pattern.empty()) {
    throw Error(file.string() + ": model.decoder.inputs.past_names and model.decoder.outputs.present_names (combined "
                "key/value per layer) must be given together");
  }
  return c;
}

ModelConfig read_hf(const fs::path& file) {
  json root = parse(file);
  ModelConfig c;
  c.source = file;
  if (!root.is_object()) throw Error(file.string() + ": expected a JSON object");
  // Text configs of multimodal models nest under text_config.
  const json& m = root.contains("text_config") && root["text_config"].is_object() ? root["text_config"] : root;
  c.context_length = opt_int(m, "max_position_embeddings", file, "")
                         .value_or(opt_int(m, "n_positions", file, "").value_or(0));
  c.vocab_size = opt_int(m, "vocab_size", file, "").value_or(0);
  c.bos_id = opt_int(m, "bos_token_id", file, "");
  c.pad_id = opt_int(m, "pad_token_id", file, "");
  c.eos_ids = eos_list(m, file, "");
  return c;
}

}  // namespace

ModelConfig read_model_config(const fs::path& folder) {
  if (fs::exists(folder / "genai_config.json")) return read_genai(folder / "genai_config.json");
  if (fs::exists(folder / "config.json")) return read_hf(folder / "config.json");
  return {};
}

}  // namespace evalq
