#pragma once

#include <evalq/tokenizer.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/decoders.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/pre_tokenizers.h"

namespace evalq::tok {

// Everything a tokenizer.json describes, parsed. Its "truncation" and "padding" sections are
// deliberately ignored: evaluation decides lengths itself.
struct TokenizerJson {
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<BpeModel> model;
  std::unique_ptr<PostProcessor> post_processor;
  std::unique_ptr<Decoder> decoder;
  std::vector<AddedToken> added_tokens;
};

// `text` is the file's content; `file` names it in errors.
TokenizerJson parse_tokenizer_json(const std::string& text, const std::string& file);

// What tokenizer_config.json and genai_config.json say about BOS/EOS (all optional).
struct TokenizerConfig {
  std::optional<bool> add_bos_token;
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  std::optional<TokenId> bos_token_id;  // genai_config.json model.bos_token_id
  std::optional<TokenId> eos_token_id;  // genai_config.json model.eos_token_id (the first, if a list)
  std::vector<AddedToken> added_tokens;  // added_tokens_decoder
};

// Reads tokenizer_config.json and genai_config.json in `folder` when they exist.
TokenizerConfig read_tokenizer_config(const std::filesystem::path& folder);

}  // namespace evalq::tok
