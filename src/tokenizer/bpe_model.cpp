#include "tokenizer/bpe_model.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <queue>
#include <shared_mutex>

#include "tokenizer/unicode.h"

namespace evalq::tok {

// Pre-tokens repeat a lot in natural text, so each word's ids are remembered (up to a bound).
struct BpeModel::WordCache {
  static constexpr size_t kCapacity = 200000;
  static constexpr size_t kMaxWordBytes = 256;
  mutable std::shared_mutex mutex;
  StringMap<std::vector<TokenId>> words;
};

namespace {

uint64_t pair_key(TokenId a, TokenId b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

BpeModel::BpeModel(const JsonView& model) : cache_(std::make_unique<WordCache>()) {
  std::string type = model.has("type") ? model.type() : "BPE";
  if (type != "BPE") {
    model.at("type").fail("unsupported model type \"" + type + "\" (only BPE tokenizers are supported)");
  }
  JsonView vocab = model.at("vocab");
  if (!vocab.json().is_object()) vocab.fail("expected an object mapping tokens to ids");
  vocab_.reserve(vocab.json().size());
  for (const auto& [token, id_json] : vocab.json().items()) {
    if (!id_json.is_number_integer() || id_json.get<int64_t>() < 0 || id_json.get<int64_t>() > INT32_MAX) {
      vocab.at(token).fail("expected an integer token id >= 0");
    }
    int64_t id = id_json.get<int64_t>();
    vocab_[token] = static_cast<TokenId>(id);
    if (static_cast<size_t>(id) >= id_to_token_.size()) {
      id_to_token_.resize(id + 1);
      id_used_.resize(id + 1);
    }
    id_to_token_[id] = token;
    id_used_[id] = true;
  }

  // The first and last code point of every token, for BpeModel::can_join.
  first_cp_.assign(id_to_token_.size(), 0);
  last_cp_.assign(id_to_token_.size(), 0);
  for (size_t id = 0; id < id_to_token_.size(); ++id) {
    const std::string& t = id_to_token_[id];
    if (t.empty()) continue;
    size_t i = 0;
    first_cp_[id] = next_code_point(t, i);
    size_t last = t.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(t[last]) & 0xC0) == 0x80) --last;
    last_cp_[id] = next_code_point(t, last);
  }

  if (model.has("continuing_subword_prefix")) continuing_subword_prefix_ = model.string("continuing_subword_prefix");
  if (model.has("end_of_word_suffix")) end_of_word_suffix_ = model.string("end_of_word_suffix");
  fuse_unk_ = model.boolean("fuse_unk", false);
  byte_fallback_ = model.boolean("byte_fallback", false);
  ignore_merges_ = model.boolean("ignore_merges", false);
  if (model.has("unk_token")) {
    JsonView unk = model.at("unk_token");
    unk_id_ = vocab_id(unk.string(), unk);
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    auto it = vocab_.find(std::string_view(name));
    if (it != vocab_.end()) byte_tokens_[b] = it->second;
  }

  JsonView merges = model.at("merges");
  size_t n = merges.size();
  merges_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    JsonView m = merges.at(i);
    std::string left, right;
    if (m.json().is_string()) {
      std::string line = m.string();
      size_t space = line.find(' ');
      if (space == std::string::npos) m.fail("expected a merge \"left right\", found \"" + line + "\"");
      left = line.substr(0, space);
      right = line.substr(space + 1);
    } else {
      if (m.size() != 2) m.fail("expected a merge [left, right]");
      left = m.at(0).string();
      right = m.at(1).string();
    }
    std::string merged = left + right.substr(std::min(continuing_subword_prefix_.size(), right.size()));
    auto a = vocab_id(left, m), b = vocab_id(right, m), c = vocab_id(merged, m);
    merges_[pair_key(a, b)] = Merge{static_cast<int32_t>(i), c};
    joinable_.insert(pair_key(static_cast<TokenId>(last_cp_[a]), static_cast<TokenId>(first_cp_[b])));
  }
  ascii_ids_.fill(-1);
  for (int c = 0; c < 128; ++c) {
    if (auto id = token_to_id(std::string(1, static_cast<char>(c)))) ascii_ids_[c] = *id;
  }
}

BpeModel::BpeModel(BpeModel&&) noexcept = default;
BpeModel::~BpeModel() = default;

TokenId BpeModel::vocab_id(std::string_view token, const JsonView& where) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) where.fail("token \"" + std::string(token) + "\" is not in the vocabulary");
  return it->second;
}

std::optional<TokenId> BpeModel::token_to_id(std::string_view token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::id_to_token(TokenId id) const {
  if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size() || !id_used_[id]) return nullptr;
  return &id_to_token_[id];
}

const BpeModel::Merge* BpeModel::find_merge(TokenId left, TokenId right) const {
  auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

bool BpeModel::cached(std::string_view word, std::vector<TokenId>& out) const {
  if (word.size() > WordCache::kMaxWordBytes) return false;
  std::shared_lock lock(cache_->mutex);
  auto it = cache_->words.find(word);
  if (it == cache_->words.end()) return false;
  out.insert(out.end(), it->second.begin(), it->second.end());
  return true;
}

void BpeModel::remember(std::string_view word, std::span<const TokenId> ids) const {
  if (word.size() > WordCache::kMaxWordBytes) return;
  std::unique_lock lock(cache_->mutex);
  if (cache_->words.size() < WordCache::kCapacity) cache_->words.emplace(std::string(word), std::vector<TokenId>(ids.begin(), ids.end()));
}

void BpeModel::encode(std::string_view word, std::vector<TokenId>& out) const {
  if (ignore_merges_) {
    if (auto id = token_to_id(word)) {
      out.push_back(*id);
      return;
    }
  }
  if (cached(word, out)) return;
  std::vector<InitialSymbol> symbols = initial_symbols(word);
  // A long word (with no pre-tokenizer, SentencePiece-style files make the whole text one word)
  // is cut where no merge can ever join the two sides, so the parts merge independently, exactly
  // as in one piece, and short parts come from the cache. Prefix/suffix rules depend on the word
  // edges, so words that use them stay whole.
  bool cut = word.size() > WordCache::kMaxWordBytes && continuing_subword_prefix_.empty() && end_of_word_suffix_.empty();
  size_t begin = 0;
  for (size_t k = 1; k <= symbols.size(); ++k) {
    if (k < symbols.size() && (!cut || can_join(symbols[k - 1].id, symbols[k].id))) continue;
    // Characters the model drops (no vocab entry, no unk) stay inside the part they fall in.
    size_t byte_begin = begin ? symbols[begin - 1].end : 0, byte_end = k == symbols.size() ? word.size() : symbols[k - 1].end;
    std::string_view part = word.substr(byte_begin, byte_end - byte_begin);
    if (part.size() == word.size() || !cached(part, out)) {
      size_t before = out.size();
      merge_symbols(std::span(symbols).subspan(begin, k - begin), out);
      remember(part, std::span(out).subspan(before));
    }
    begin = k;
  }
}

bool BpeModel::can_join(TokenId left, TokenId right) const {
  return joinable_.count(pair_key(static_cast<TokenId>(last_cp_[left]), static_cast<TokenId>(first_cp_[right]))) != 0;
}

// Follows tokenizers' BPE::merge_word: one symbol per character (with the subword prefix and
// word-end suffix), <0xNN> byte tokens for unknown characters under byte_fallback, else unk.
std::vector<BpeModel::InitialSymbol> BpeModel::initial_symbols(std::string_view word) const {
  std::vector<InitialSymbol> symbols;
  symbols.reserve(word.size());
  std::optional<InitialSymbol> pending_unk;
  std::string piece;
  const bool plain = continuing_subword_prefix_.empty() && end_of_word_suffix_.empty();
  size_t i = 0;
  while (i < word.size()) {
    size_t start = i;
    auto lead = static_cast<unsigned char>(word[i]);
    if (plain && lead < 0x80 && ascii_ids_[lead] >= 0) {
      if (pending_unk) symbols.push_back(*std::exchange(pending_unk, std::nullopt));
      symbols.push_back({ascii_ids_[lead], static_cast<uint32_t>(++i)});
      continue;
    }
    next_code_point(word, i);
    auto end = static_cast<uint32_t>(i);
    bool is_first = start == 0, is_last = i == word.size();
    std::string_view lookup = word.substr(start, i - start);
    if ((!is_first && !continuing_subword_prefix_.empty()) || (is_last && !end_of_word_suffix_.empty())) {
      piece.clear();
      if (!is_first) piece += continuing_subword_prefix_;
      piece += lookup;
      if (is_last) piece += end_of_word_suffix_;
      lookup = piece;
    }
    if (auto id = token_to_id(lookup)) {
      if (pending_unk) symbols.push_back(*std::exchange(pending_unk, std::nullopt));
      symbols.push_back({*id, end});
      continue;
    }
    if (byte_fallback_) {
      bool all = true;
      for (char c : lookup) all &= byte_tokens_[static_cast<unsigned char>(c)].has_value();
      if (all) {
        // HF does not flush a pending unk here, so it lands after these bytes; kept as is.
        // Each byte ends where its byte ends, so that a cut between them names the right text.
        uint32_t byte_end = static_cast<uint32_t>(start);
        for (char c : lookup) symbols.push_back({*byte_tokens_[static_cast<unsigned char>(c)], std::min(++byte_end, end)});
        continue;
      }
    }
    if (unk_id_) {
      // A run of unknown characters becomes one unk when fuse_unk is set.
      if (pending_unk && !fuse_unk_) symbols.push_back(*pending_unk);
      if (pending_unk && fuse_unk_) pending_unk->end = end;
      else pending_unk = InitialSymbol{*unk_id_, end};
    }
  }
  if (pending_unk) symbols.push_back(*pending_unk);
  return symbols;
}

// Follows tokenizers' Word::merge_all: symbols in a linked list, candidate merges in a heap
// ordered by (rank, position), stale entries skipped when popped. O(n log n) in the word length.
void BpeModel::merge_symbols(std::span<const InitialSymbol> initial, std::vector<TokenId>& out) const {
  struct Symbol {
    TokenId id;
    int prev, next;
    bool alive;
  };
  if (initial.empty()) return;
  std::vector<Symbol> symbols;
  symbols.reserve(initial.size());
  for (size_t k = 0; k < initial.size(); ++k) {
    symbols.push_back({initial[k].id, static_cast<int>(k) - 1, static_cast<int>(k) + 1, true});
  }
  symbols.back().next = -1;

  struct Candidate {
    int32_t rank;
    int pos;
    TokenId merged;
    bool operator<(const Candidate& o) const {  // the heap's top is the lowest (rank, pos)
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::vector<Candidate> storage;
  storage.reserve(symbols.size());
  std::priority_queue<Candidate> queue(std::less<Candidate>(), std::move(storage));
  for (size_t k = 0; k + 1 < symbols.size(); ++k) {
    if (const Merge* m = find_merge(symbols[k].id, symbols[k + 1].id)) {
      queue.push({m->rank, static_cast<int>(k), m->merged});
    }
  }
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.pos];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    const Merge* m = find_merge(left.id, right.id);
    if (!m || m->merged != top.merged) continue;
    left.id = top.merged;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.pos;
    if (left.prev >= 0) {
      if (const Merge* pm = find_merge(symbols[left.prev].id, left.id)) queue.push({pm->rank, left.prev, pm->merged});
    }
    if (left.next >= 0) {
      if (const Merge* nm = find_merge(left.id, symbols[left.next].id)) queue.push({nm->rank, top.pos, nm->merged});
    }
  }
  for (const Symbol& s : symbols) {
    if (s.alive) out.push_back(s.id);
  }
}

}  // namespace evalq::tok
