#include "tokenizer/added_tokens.h"

#include "tokenizer/unicode.h"

namespace evalq::tok {

AddedToken parse_added_token(const JsonView& v, std::optional<TokenId> id) {
  AddedToken t;
  if (id) {
    t.id = *id;
  } else {
    int64_t raw = v.at("id").integer();
    if (raw < 0 || raw > INT32_MAX) v.at("id").fail("token id out of range");
    t.id = static_cast<TokenId>(raw);
  }
  t.content = v.string("content");
  t.special = v.boolean("special", false);
  t.lstrip = v.boolean("lstrip", false);
  t.rstrip = v.boolean("rstrip", false);
  t.normalized = v.boolean("normalized", !t.special);
  t.single_word = v.boolean("single_word", false);
  return t;
}

void AddedVocabulary::Trie::insert(std::string_view key, int token) {
  int node = 0;
  for (char c : key) {
    auto byte = static_cast<unsigned char>(c);
    int next = -1;
    for (auto& [b, child] : nodes[node].children) {
      if (b == byte) next = child;
    }
    if (next < 0) {
      next = static_cast<int>(nodes.size());
      nodes[node].children.emplace_back(byte, next);
      nodes.emplace_back();
    }
    node = next;
  }
  if (nodes[node].token < 0) nodes[node].token = token;
}

int AddedVocabulary::Trie::longest_match(std::string_view text, size_t pos, size_t& length) const {
  int node = 0, best = -1;
  for (size_t i = pos; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    int next = -1;
    for (const auto& [b, child] : nodes[node].children) {
      if (b == byte) next = child;
    }
    if (next < 0) break;
    node = next;
    if (nodes[node].token >= 0) {
      best = nodes[node].token;
      length = i + 1 - pos;
    }
  }
  return best;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    AddedToken& t = tokens_[i];
    t.shown = t.content;
    by_id_.emplace(t.id, i);
    by_content_.emplace(t.content, t.id);
    if (t.content.empty()) continue;
    if (t.normalized) {
      if (normalizer) normalizer->normalize(t.shown);
      normalized_.insert(t.shown, static_cast<int>(i));
    } else {
      raw_.insert(t.content, static_cast<int>(i));
    }
  }
}

namespace {

// The code point that ends text[0, end), for the word-boundary and whitespace rules.
char32_t code_point_before(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return next_code_point(text, start);
}

}  // namespace

// Follows tokenizers' AddedVocabulary::find_matches, including its quirks: a match rejected by
// single_word still consumes its span, and lstrip never reaches back before the previous match.
void AddedVocabulary::split(std::string_view text, bool normalized_set, std::vector<Segment>& out) const {
  const Trie& trie = normalized_set ? normalized_ : raw_;
  if (trie.nodes[0].children.empty()) {
    if (!text.empty()) out.push_back({0, text.size(), std::nullopt});
    return;
  }
  size_t start_offset = 0, pos = 0;
  while (pos < text.size()) {
    size_t length = 0;
    int index = trie.longest_match(text, pos, length);
    if (index < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[index];
    size_t start = pos, stop = pos + length;
    pos = stop;
    if (token.single_word) {
      bool space_before = start == 0 || !is_word_char(code_point_before(text, start));
      size_t k = stop;
      bool space_after = stop == text.size() || !is_word_char(next_code_point(text, k));
      if (!space_before || !space_after) continue;
    }
    if (token.lstrip) {
      size_t new_start = start;
      while (new_start > 0 && is_whitespace(code_point_before(text, new_start))) {
        --new_start;
        while (new_start > 0 && (static_cast<unsigned char>(text[new_start]) & 0xC0) == 0x80) --new_start;
      }
      start = std::max(new_start, start_offset);
    }
    if (token.rstrip) {
      while (stop < text.size()) {
        size_t k = stop;
        if (!is_whitespace(next_code_point(text, k))) break;
        stop = k;
      }
      pos = stop;
    }
    if (start_offset < start) out.push_back({start_offset, start, std::nullopt});
    out.push_back({start, stop, token.id});
    start_offset = stop;
  }
  if (start_offset < text.size()) out.push_back({start_offset, text.size(), std::nullopt});
}

std::optional<TokenId> AddedVocabulary::token_to_id(std::string_view content) const {
  auto it = by_content_.find(content);
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

const AddedToken* AddedVocabulary::find(TokenId id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

}  // namespace evalq::tok
