#include "tokenizer/pre_tokenizers.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace evalq::tok {

void PreTokenizer::pre_tokenize(std::vector<Piece>& pieces) const {
  std::vector<Piece> out;
  out.reserve(pieces.size() * 2);
  for (const Piece& p : pieces) split(p, out);
  pieces = std::move(out);
}

namespace {

// GPT-2's pre-tokenization regex, used by ByteLevel with use_regex.
constexpr const char* kGpt2SplitPattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for (const auto& s : steps_) s->pre_tokenize(pieces);
  }

 protected:
  void split(const Piece& piece, std::vector<Piece>& out) const override { out.push_back(piece); }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex, const JsonView& where)
      : add_prefix_space_(add_prefix_space) {
    if (use_regex) regex_ = std::make_unique<Regex>(kGpt2SplitPattern, where.path());
  }

 protected:
  void split(const Piece& piece, std::vector<Piece>& out) const override {
    Piece prefixed{std::string(), piece.at_start};
    if (add_prefix_space_ && (piece.text.empty() || piece.text[0] != ' ')) prefixed.text = " ";
    prefixed.text += piece.text;
    std::vector<Piece> parts;
    if (regex_) {
      std::vector<Span> matches;
      regex_->find_all(prefixed.text, matches);
      split_piece(prefixed, matches, false, SplitBehavior::Isolated, parts);
    } else if (!prefixed.text.empty()) {
      parts.push_back(std::move(prefixed));
    }
    const ByteLevelAlphabet& alphabet = ByteLevelAlphabet::instance();
    for (Piece& p : parts) {
      Piece mapped{std::string(), p.at_start};
      mapped.text.reserve(p.text.size() * 2);
      alphabet.encode(p.text, mapped.text);
      out.push_back(std::move(mapped));
    }
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

enum class PrependScheme { Always, First, Never };

PrependScheme parse_prepend_scheme(const JsonView& v) {
  if (v.has("prepend_scheme")) {
    JsonView s = v.at("prepend_scheme");
    std::string name = s.string();
    if (name == "always") return PrependScheme::Always;
    if (name == "first") return PrependScheme::First;
    if (name == "never") return PrependScheme::Never;
    s.fail("unknown prepend_scheme \"" + name + "\" (expected always, first or never)");
  }
  // Files written before tokenizers 0.19 carry add_prefix_space instead.
  return v.boolean("add_prefix_space", true) ? PrependScheme::Always : PrependScheme::Never;
}

class MetaspacePreTokenizer : public PreTokenizer {
 public:
  MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
      : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}

 protected:
  void split(const Piece& piece, std::vector<Piece>& out) const override {
    Piece replaced{std::string(), piece.at_start};
    replaced.text.reserve(piece.text.size() + replacement_.size());
    for (char c : piece.text) {
      if (c == ' ') replaced.text += replacement_;
      else replaced.text += c;
    }
    bool starts_with_replacement = replaced.text.compare(0, replacement_.size(), replacement_) == 0;
    if (!starts_with_replacement &&
        (scheme_ == PrependScheme::Always || (scheme_ == PrependScheme::First && piece.at_start))) {
      replaced.text.insert(0, replacement_);
    }
    if (!split_) {
      if (!replaced.text.empty()) out.push_back(std::move(replaced));
      return;
    }
    std::vector<Span> matches;
    find_literal(replaced.text, replacement_, matches);
    split_piece(replaced, matches, false, SplitBehavior::MergedWithNext, out);
  }

 private:
  std::string replacement_;
  PrependScheme scheme_;
  bool split_;
};

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}

 protected:
  void split(const Piece& piece, std::vector<Piece>& out) const override {
    std::vector<Span> matches;
    pattern_.find_all(piece.text, matches);
    split_piece(piece, matches, invert_, behavior_, out);
  }

 private:
  Pattern pattern_;
  SplitBehavior behavior_;
  bool invert_;
};

// Splits where a code point satisfies a predicate (Digits, WhitespaceSplit).
template <bool (*Predicate)(char32_t)>
class CharClassPreTokenizer : public PreTokenizer {
 public:
  explicit CharClassPreTokenizer(SplitBehavior behavior) : behavior_(behavior) {}

 protected:
  void split(const Piece& piece, std::vector<Piece>& out) const override {
    std::vector<Span> matches;
    size_t i = 0;
    while (i < piece.text.size()) {
      size_t start = i;
      if (Predicate(next_code_point(piece.text, i))) matches.emplace_back(start, i);
    }
    split_piece(piece, matches, false, behavior_, out);
  }

 private:
  SplitBehavior behavior_;
};

}  // namespace

std::unique_ptr<PreTokenizer> parse_pre_tokenizer(const JsonView& v) {
  if (v.json().is_null()) return nullptr;
  std::string type = v.type();
  if (type == "Sequence") {
    JsonView list = v.at("pretokenizers");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto p = parse_pre_tokenizer(list.at(i))) steps.push_back(std::move(p));
    }
    return std::make_unique<SequencePreTokenizer>(std::move(steps));
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPreTokenizer>(v.boolean("add_prefix_space", true), v.boolean("use_regex", true), v);
  }
  if (type == "Metaspace") {
    std::string replacement = v.has("replacement") ? v.string("replacement") : "\xE2\x96\x81";
    return std::make_unique<MetaspacePreTokenizer>(replacement, parse_prepend_scheme(v), v.boolean("split", true));
  }
  if (type == "Split") {
    return std::make_unique<SplitPreTokenizer>(parse_pattern(v.at("pattern")), parse_split_behavior(v.at("behavior")),
                                               v.boolean("invert", false));
  }
  if (type == "Digits") {
    auto behavior = v.boolean("individual_digits", false) ? SplitBehavior::Isolated : SplitBehavior::Contiguous;
    return std::make_unique<CharClassPreTokenizer<is_numeric>>(behavior);
  }
  if (type == "WhitespaceSplit") return std::make_unique<CharClassPreTokenizer<is_whitespace>>(SplitBehavior::Removed);
  if (type == "Whitespace") {
    return std::make_unique<SplitPreTokenizer>(Pattern::regex(R"(\w+|[^\w\s]+)", v.path()), SplitBehavior::Removed, true);
  }
  v.at("type").fail("unsupported pre_tokenizer type \"" + type +
                    "\" (supported: ByteLevel, Metaspace, Split, Digits, Whitespace, WhitespaceSplit, Sequence)");
}

}  // namespace evalq::tok
