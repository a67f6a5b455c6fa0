#include "tokenizer/split.h"

#include <algorithm>

namespace evalq::tok {

SplitBehavior parse_split_behavior(const JsonView& v) {
  std::string s = v.string();
  if (s == "Removed") return SplitBehavior::Removed;
  if (s == "Isolated") return SplitBehavior::Isolated;
  if (s == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (s == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (s == "Contiguous") return SplitBehavior::Contiguous;
  v.fail("unknown split behavior \"" + s + "\" (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
}

Pattern parse_pattern(const JsonView& v) {
  if (v.has("String")) return Pattern::literal(v.at("String").string());
  if (v.has("Regex")) return Pattern::regex(v.at("Regex").string(), v.at("Regex").path());
  v.fail("expected a pattern {\"String\": ...} or {\"Regex\": ...}");
}

namespace {

struct Part {
  size_t begin, end;
  bool is_match;
};

}  // namespace

// Follows tokenizers' NormalizedString::split so that every behaviour merges exactly as HF does.
void split_piece(const Piece& piece, const std::vector<Span>& matches, bool invert, SplitBehavior behavior,
                 std::vector<Piece>& out) {
  std::vector<Part> parts;
  parts.reserve(matches.size() * 2 + 1);
  size_t prev = 0;
  for (auto [b, e] : matches) {
    if (prev != b) parts.push_back({prev, b, invert});
    parts.push_back({b, e, !invert});
    prev = e;
  }
  if (prev != piece.text.size()) parts.push_back({prev, piece.text.size(), invert});

  std::vector<Part> merged;
  merged.reserve(parts.size());
  switch (behavior) {
    case SplitBehavior::Removed:
      for (const Part& p : parts) {
        if (!p.is_match) merged.push_back(p);
      }
      break;
    case SplitBehavior::Isolated:
      merged = parts;
      break;
    case SplitBehavior::MergedWithPrevious: {
      bool previous_match = false;
      for (const Part& p : parts) {
        if (p.is_match && !previous_match && !merged.empty()) merged.back().end = p.end;
        else merged.push_back(p);
        previous_match = p.is_match;
      }
      break;
    }
    case SplitBehavior::MergedWithNext: {
      bool previous_match = false;
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (it->is_match && !previous_match && !merged.empty()) merged.back().begin = it->begin;
        else merged.push_back(*it);
        previous_match = it->is_match;
      }
      std::reverse(merged.begin(), merged.end());
      break;
    }
    case SplitBehavior::Contiguous: {
      bool previous_match = false;
      for (const Part& p : parts) {
        if (p.is_match == previous_match && !merged.empty()) merged.back().end = p.end;
        else merged.push_back(p);
        previous_match = p.is_match;
      }
      break;
    }
  }
  for (const Part& p : merged) {
    if (p.end > p.begin) out.push_back({piece.text.substr(p.begin, p.end - p.begin), piece.at_start && p.begin == 0});
  }
}

}  // namespace evalq::tok
