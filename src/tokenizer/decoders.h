#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tokenizer/json_view.h"

namespace evalq::tok {

// A tokenizer.json "decoder": turns the token strings back into text, one chain step at a time
// (HF Decoder::decode_chain); the final text is the concatenation of what the chain returns.
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

// ByteLevel, ByteFallback, Metaspace, Replace, Fuse, Strip, Sequence. Null JSON gives nullptr.
std::unique_ptr<Decoder> parse_decoder(const JsonView& v);

}  // namespace evalq::tok
