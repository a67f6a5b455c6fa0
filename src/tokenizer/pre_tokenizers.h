#pragma once

#include <memory>
#include <vector>

#include "tokenizer/json_view.h"
#include "tokenizer/split.h"

namespace evalq::tok {

// A tokenizer.json "pre_tokenizer": cuts normalized text into the pieces the model encodes.
class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `pieces` by their parts (never empty ones).
  virtual void pre_tokenize(std::vector<Piece>& pieces) const;

 protected:
  virtual void split(const Piece& piece, std::vector<Piece>& out) const = 0;
};

// ByteLevel, Metaspace, Split, Digits, Whitespace, WhitespaceSplit, Sequence. Null JSON gives nullptr.
std::unique_ptr<PreTokenizer> parse_pre_tokenizer(const JsonView& v);

}  // namespace evalq::tok
