#pragma once

#include <evalq/tokenizer.h>

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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

  struct InitialSymbol {
    TokenId id;
    uint32_t end;  // byte offset in the word where this symbol's text ends
  };
  std::vector<InitialSymbol> initial_symbols(std::string_view word) const;
  void merge_symbols(std::span<const InitialSymbol> initial, std::vector<TokenId>& out) const;
  // Whether some merge could ever join a symbol ending like token `left` to one starting like `right`.
  bool can_join(TokenId left, TokenId right) const;
  bool cached(std::string_view word, std::vector<TokenId>& out) const;
  void remember(std::string_view word, std::span<const TokenId> ids) const;
  const Merge* find_merge(TokenId left, TokenId right) const;
  TokenId vocab_id(std::string_view token, const JsonView& where) const;

  StringMap<TokenId> vocab_;
  std::vector<std::string> id_to_token_;
  std::vector<bool> id_used_;
  std::unordered_map<uint64_t, Merge> merges_;
  std::vector<char32_t> first_cp_, last_cp_;  // by token id
  std::unordered_set<uint64_t> joinable_;      // (last code point of left, first of right) over all merges
  std::array<TokenId, 128> ascii_ids_;         // ids of one-character ASCII tokens, -1 if absent
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
