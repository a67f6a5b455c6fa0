#pragma once

#include <evalq/tokenizer.h>

#include <memory>
#include <optional>
#include <vector>

#include "tokenizer/json_view.h"

namespace evalq::tok {

// A tokenizer.json "post_processor", applied by encode(text, add_special_tokens = true).
class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual void process(std::vector<TokenId>& ids) const = 0;
  // The special token the single-sequence template puts first, if any (e.g. "<s>" in "<s> $A").
  virtual std::optional<TokenId> leading_special() const { return std::nullopt; }
};

// TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel (ids unchanged), Sequence.
// Null JSON gives nullptr.
std::unique_ptr<PostProcessor> parse_post_processor(const JsonView& v);

}  // namespace evalq::tok
