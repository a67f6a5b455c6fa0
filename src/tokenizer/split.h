#pragma once

#include <string>
#include <vector>

#include "tokenizer/json_view.h"
#include "tokenizer/regex.h"

namespace evalq::tok {

// A pre-token: a piece of normalized text that the model encodes on its own. `at_start` is true
// when it begins at offset 0 of the input (Metaspace's prepend_scheme "first" depends on it).
struct Piece {
  std::string text;
  bool at_start = false;
};

// What happens to the matched delimiters when a piece is split (HF SplitDelimiterBehavior).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

SplitBehavior parse_split_behavior(const JsonView& v);
// {"String": "..."} (a literal) or {"Regex": "..."}.
Pattern parse_pattern(const JsonView& v);

// Splits `piece` at `matches` (sorted, non-overlapping spans of piece.text) and appends the
// non-empty parts to `out`. `invert` swaps the roles of matches and the text between them.
void split_piece(const Piece& piece, const std::vector<Span>& matches, bool invert, SplitBehavior behavior,
                 std::vector<Piece>& out);

}  // namespace evalq::tok
