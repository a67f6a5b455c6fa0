#pragma once

#include <evalq/tokenizer.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/json_view.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/string_map.h"

namespace evalq::tok {

// One entry of tokenizer.json "added_tokens" (or tokenizer_config.json "added_tokens_decoder").
struct AddedToken {
  TokenId id = 0;
  std::string content;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
  bool single_word = false;
  // What decoding and id_to_token give: HF shows a normalized token as its normalized content.
  std::string shown;
};

AddedToken parse_added_token(const JsonView& v, std::optional<TokenId> id);

// A part of the input: either text for the normalizer and model, or one added token.
struct Segment {
  size_t begin, end;
  std::optional<TokenId> id;
};

// The added/special tokens, matched in the text before the model sees it, as HF's
// AddedVocabulary does: tokens with normalized=false on the raw text, the others on the
// normalized text; leftmost-longest matching, then the lstrip/rstrip/single_word rules.
class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  // Splits `text` around the tokens of one set (normalized=false or normalized=true).
  void split(std::string_view text, bool normalized_set, std::vector<Segment>& out) const;

  std::optional<TokenId> token_to_id(std::string_view content) const;
  const AddedToken* find(TokenId id) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  struct Trie {
    struct Node {
      std::vector<std::pair<unsigned char, int>> children;
      int token = -1;  // index into tokens_ of the token ending here
    };
    std::vector<Node> nodes{1};
    void insert(std::string_view key, int token);
    // Index of the longest token that starts at text[pos], or -1; its length in `length`.
    int longest_match(std::string_view text, size_t pos, size_t& length) const;
  };

  std::vector<AddedToken> tokens_;
  std::unordered_map<TokenId, size_t> by_id_;
  StringMap<TokenId> by_content_;
  Trie raw_, normalized_;
};

}  // namespace evalq::tok
