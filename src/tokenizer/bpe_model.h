#pragma once

#include <evalq/tokenizer.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/json_view.h"
#include "tokenizer/string_map.h"

namespace evalq::tok {

// The tokenizer.json "model" of type BPE: merges by rank, with byte_fallback, ignore_merges, an
// unk token (fused or not), continuing_subword_prefix and end_of_word_suffix.
class BpeModel {
 public:
  explicit BpeModel(const JsonView& model);
  BpeModel(BpeModel&&) noexcept;
  ~BpeModel();

  // Appends the ids of one pre-token.
  void encode(std::string_view word, std::vector<TokenId>& out) const;

  std::optional<TokenId> token_to_id(std::string_view token) const;
  const std::string* id_to_token(TokenId id) const;
  TokenId max_id() const { return static_cast<TokenId>(id_to_token_.size()) - 1; }

 private:
  struct Merge {
    int32_t rank;
    TokenId merged;
  };
  struct WordCache;

  void merge_word(std::string_view word, std::vector<TokenId>& out) const;
  const Merge* find_merge(TokenId left, TokenId right) const;
  TokenId vocab_id(std::string_view token, const JsonView& where) const;

  StringMap<TokenId> vocab_;
  std::vector<std::string> id_to_token_;
  std::vector<bool> id_used_;
  std::unordered_map<uint64_t, Merge> merges_;
  std::optional<TokenId> unk_id_;
  std::string continuing_subword_prefix_;
  std::string end_of_word_suffix_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  std::array<std::optional<TokenId>, 256> byte_tokens_;  // <0xNN>, when byte_fallback
  std::unique_ptr<WordCache> cache_;
};

}  // namespace evalq::tok
