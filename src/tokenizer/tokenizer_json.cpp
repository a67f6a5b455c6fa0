#include "tokenizer/tokenizer_json.h"

#include <evalq/error.h>
#include <evalq/file_bytes.h>

#include <fstream>
#include <sstream>

namespace evalq::tok {
namespace {

nlohmann::json parse_json(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(file + ": not valid JSON: " + e.what());
  }
}

// "bos_token" is either the token text or an AddedToken-like object {"content": ...}.
std::optional<std::string> token_text(const JsonView& config, std::string_view key) {
  if (!config.has(key)) return std::nullopt;
  JsonView v = config.at(key);
  if (v.json().is_object()) return v.string("content");
  return v.string();
}

std::optional<TokenId> first_id(const JsonView& v) {
  if (v.json().is_array()) {
    if (v.size() == 0) return std::nullopt;
    return static_cast<TokenId>(v.at(0).integer());
  }
  return static_cast<TokenId>(v.integer());
}

}  // namespace

TokenizerJson parse_tokenizer_json(const std::string& text, const std::string& file) {
  nlohmann::json doc = parse_json(text, file);
  auto file_name = std::make_shared<const std::string>(file);
  JsonView root(doc, "$", file_name);
  if (!doc.is_object()) root.fail("expected a tokenizer.json object");

  TokenizerJson t;
  t.normalizer = root.has("normalizer") ? parse_normalizer(root.at("normalizer")) : nullptr;
  t.pre_tokenizer = root.has("pre_tokenizer") ? parse_pre_tokenizer(root.at("pre_tokenizer")) : nullptr;
  t.model = std::make_unique<BpeModel>(root.at("model"));
  t.post_processor = root.has("post_processor") ? parse_post_processor(root.at("post_processor")) : nullptr;
  t.decoder = root.has("decoder") ? parse_decoder(root.at("decoder")) : nullptr;
  if (root.has("added_tokens")) {
    JsonView list = root.at("added_tokens");
    for (size_t i = 0; i < list.size(); ++i) t.added_tokens.push_back(parse_added_token(list.at(i), std::nullopt));
  }
  return t;
}

TokenizerConfig read_tokenizer_config(const std::filesystem::path& folder) {
  TokenizerConfig config;
  std::filesystem::path tc = folder / "tokenizer_config.json";
  if (std::filesystem::exists(tc)) {
    std::string file = tc.string();
    nlohmann::json doc = parse_json(read_file_bytes(tc), file);
    JsonView root(doc, "$", std::make_shared<const std::string>(file));
    if (root.has("add_bos_token")) config.add_bos_token = root.at("add_bos_token").boolean();
    config.bos_token = token_text(root, "bos_token");
    config.eos_token = token_text(root, "eos_token");
    if (root.has("added_tokens_decoder")) {
      JsonView decoder = root.at("added_tokens_decoder");
      if (!decoder.json().is_object()) decoder.fail("expected an object mapping ids to tokens");
      for (const auto& [key, value] : decoder.json().items()) {
        JsonView entry = decoder.at(key);
        TokenId id = 0;
        try {
          id = static_cast<TokenId>(std::stol(key));
        } catch (const std::exception&) {
          entry.fail("expected a numeric token id as key");
        }
        config.added_tokens.push_back(parse_added_token(entry, id));
      }
    }
  }
  std::filesystem::path gc = folder / "genai_config.json";
  if (std::filesystem::exists(gc)) {
    std::string file = gc.string();
    nlohmann::json doc = parse_json(read_file_bytes(gc), file);
    JsonView root(doc, "$", std::make_shared<const std::string>(file));
    if (root.has("model")) {
      JsonView model = root.at("model");
      if (model.has("bos_token_id")) config.bos_token_id = first_id(model.at("bos_token_id"));
      if (model.has("eos_token_id")) config.eos_token_id = first_id(model.at("eos_token_id"));
    }
  }
  return config;
}

}  // namespace evalq::tok
