#pragma once

#include <memory>
#include <string>

#include "tokenizer/json_view.h"

namespace evalq::tok {

// A tokenizer.json "normalizer": rewrites the text before pre-tokenization.
class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};

// Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip. Null JSON gives nullptr.
std::unique_ptr<Normalizer> parse_normalizer(const JsonView& v);

}  // namespace evalq::tok
