#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace evalq {

using TokenId = int32_t;

// Whether a BOS token starts a tokenized document: `Auto` follows the model's own
// tokenizer_config.json (add_bos_token) or the post-processor template.
enum class BosPolicy { Auto, Always, Never };

// A Hugging Face tokenizer.json, giving the same ids as the `tokenizers` library.
class Tokenizer {
 public:
  // `path` is a tokenizer.json file or a folder holding one; a tokenizer_config.json beside it
  // (optional) supplies add_bos_token / add_eos_token.
  static Tokenizer load(const std::filesystem::path& path);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // add_special_tokens applies the post-processor (e.g. the "<s> $A" template), as HF's
  // encode(text, add_special_tokens=True) does.
  std::vector<TokenId> encode(std::string_view text, bool add_special_tokens = false) const;
  std::string decode(std::span<const TokenId> ids, bool skip_special_tokens = false) const;

  // Encodes a document under a BOS policy: the plain encoding, with one BOS in front when the
  // policy (or, for Auto, the tokenizer's configuration) asks for it.
  std::vector<TokenId> encode_document(std::string_view text, BosPolicy bos) const;

  std::optional<TokenId> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(TokenId id) const;
  std::optional<TokenId> bos_id() const;
  std::optional<TokenId> eos_id() const;
  bool adds_bos_by_default() const;
  // Size of the vocabulary including added tokens (max id + 1).
  int64_t vocab_size() const;
  // sha256 (hex) of the tokenizer.json bytes: two models share a tokenizer when these match.
  const std::string& fingerprint() const;
  const std::filesystem::path& path() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace evalq
