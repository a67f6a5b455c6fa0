#include <evalq/error.h>
#include <evalq/file_bytes.h>
#include <evalq/tokenizer.h>

#include <algorithm>
#include <unordered_set>

#include <evalq/sha256.h>
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/unicode.h"

namespace evalq {

struct Tokenizer::Impl {
  tok::TokenizerJson parts;
  tok::AddedVocabulary added;
  std::optional<TokenId> bos, eos;
  bool adds_bos = false;
  int64_t vocab_size = 0;
  std::string fingerprint;
  std::filesystem::path path;
};

namespace {

std::filesystem::path tokenizer_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) {
    fs::path file = path / "tokenizer.json";
    if (!fs::exists(file)) throw Error(path.string() + ": no tokenizer.json in this folder");
    return file;
  }
  if (!fs::exists(path)) throw Error(path.string() + ": no such file or folder");
  // A model file stands for the folder it lies in.
  if (path.extension() != ".json") return tokenizer_file(path.parent_path().empty() ? "." : path.parent_path());
  return path;
}

}  // namespace

Tokenizer Tokenizer::load(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = tokenizer_file(path);
  std::string text = read_file_bytes(impl->path);
  impl->fingerprint = sha256_hex(text);
  impl->parts = tok::parse_tokenizer_json(text, impl->path.string());
  tok::TokenizerConfig config = tok::read_tokenizer_config(impl->path.parent_path());

  std::vector<tok::AddedToken> added = impl->parts.added_tokens;
  std::unordered_set<TokenId> known;
  for (const auto& t : added) known.insert(t.id);
  for (const auto& t : config.added_tokens) {
    if (known.insert(t.id).second) added.push_back(t);
  }
  impl->added = tok::AddedVocabulary(std::move(added), impl->parts.normalizer.get());

  Tokenizer tokenizer(std::move(impl));
  Impl& m = *tokenizer.impl_;
  auto leading = m.parts.post_processor ? m.parts.post_processor->leading_special() : std::nullopt;
  if (config.bos_token) m.bos = tokenizer.token_to_id(*config.bos_token);
  if (!m.bos) m.bos = config.bos_token_id ? config.bos_token_id : leading;
  if (config.eos_token) m.eos = tokenizer.token_to_id(*config.eos_token);
  if (!m.eos) m.eos = config.eos_token_id;
  m.adds_bos = config.add_bos_token ? *config.add_bos_token : leading.has_value();

  int64_t max_id = m.parts.model->max_id();
  for (const auto& t : m.added.tokens()) max_id = std::max<int64_t>(max_id, t.id);
  m.vocab_size = max_id + 1;
  return tokenizer;
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

// HF's pipeline: split out the raw-matched added tokens, normalize each remaining part, split
// out the normalized added tokens, pre-tokenize, run the model on every piece.
std::vector<TokenId> Tokenizer::encode(std::string_view input, bool add_special_tokens) const {
  const Impl& m = *impl_;
  std::string storage;
  std::string_view text = tok::valid_utf8(input, storage);
  std::vector<TokenId> ids;
  ids.reserve(text.size() / 3 + 8);
  std::vector<tok::Segment> raw_segments, segments;
  m.added.split(text, false, raw_segments);
  std::vector<tok::Piece> pieces;
  for (const tok::Segment& raw : raw_segments) {
    if (raw.id) {
      ids.push_back(*raw.id);
      continue;
    }
    std::string normalized(text.substr(raw.begin, raw.end - raw.begin));
    if (m.parts.normalizer) m.parts.normalizer->normalize(normalized);
    segments.clear();
    m.added.split(normalized, true, segments);
    for (const tok::Segment& seg : segments) {
      if (seg.id) {
        ids.push_back(*seg.id);
        continue;
      }
      pieces.clear();
      pieces.push_back({normalized.substr(seg.begin, seg.end - seg.begin), raw.begin == 0 && seg.begin == 0});
      if (m.parts.pre_tokenizer) m.parts.pre_tokenizer->pre_tokenize(pieces);
      for (const tok::Piece& p : pieces) m.parts.model->encode(p.text, ids);
    }
  }
  if (add_special_tokens && m.parts.post_processor) m.parts.post_processor->process(ids);
  return ids;
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool skip_special_tokens) const {
  const Impl& m = *impl_;
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (TokenId id : ids) {
    if (const tok::AddedToken* added = m.added.find(id)) {
      if (!(skip_special_tokens && added->special)) tokens.push_back(added->shown);
    } else if (const std::string* token = m.parts.model->id_to_token(id)) {
      tokens.push_back(*token);
    }
  }
  std::string text;
  if (m.parts.decoder) {
    m.parts.decoder->decode_chain(tokens);
    for (const std::string& t : tokens) text += t;
  } else {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) text += ' ';
      text += tokens[i];
    }
  }
  return text;
}

std::vector<TokenId> Tokenizer::encode_document(std::string_view text, BosPolicy bos) const {
  std::vector<TokenId> ids = encode(text, false);
  bool want_bos = bos == BosPolicy::Always || (bos == BosPolicy::Auto && impl_->adds_bos);
  if (!want_bos) return ids;
  if (!impl_->bos) {
    if (bos == BosPolicy::Always) throw Error(impl_->path.string() + ": --bos always, but the tokenizer has no BOS token");
    return ids;
  }
  if (ids.empty() || ids.front() != *impl_->bos) ids.insert(ids.begin(), *impl_->bos);
  return ids;
}

std::optional<TokenId> Tokenizer::token_to_id(std::string_view token) const {
  if (auto id = impl_->added.token_to_id(token)) return id;
  return impl_->parts.model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(TokenId id) const {
  if (const tok::AddedToken* added = impl_->added.find(id)) return added->shown;
  if (const std::string* token = impl_->parts.model->id_to_token(id)) return *token;
  return std::nullopt;
}

std::optional<TokenId> Tokenizer::bos_id() const { return impl_->bos; }
std::optional<TokenId> Tokenizer::eos_id() const { return impl_->eos; }
bool Tokenizer::adds_bos_by_default() const { return impl_->adds_bos; }
int64_t Tokenizer::vocab_size() const { return impl_->vocab_size; }
const std::string& Tokenizer::fingerprint() const { return impl_->fingerprint; }
const std::filesystem::path& Tokenizer::path() const { return impl_->path; }

}  // namespace evalq
