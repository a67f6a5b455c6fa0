#include "tokenizer/decoders.h"

#include <cctype>
#include <string>

#include "tokenizer/byte_level.h"
#include "tokenizer/regex.h"
#include "tokenizer/split.h"
#include "tokenizer/unicode.h"

namespace evalq::tok {
namespace {

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& s : steps_) s->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

// Maps each token's code points back to bytes; a token holding a code point outside the
// alphabet is taken as raw UTF-8. Invalid UTF-8 in the result becomes U+FFFD (from_utf8_lossy).
class ByteLevelDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    const ByteLevelAlphabet& alphabet = ByteLevelAlphabet::instance();
    std::string bytes, token_bytes;
    for (const std::string& t : tokens) {
      token_bytes.clear();
      bool mapped = true;
      size_t i = 0;
      while (i < t.size() && mapped) {
        auto b = alphabet.byte_of(next_code_point(t, i));
        if (b) token_bytes += static_cast<char>(*b);
        else mapped = false;
      }
      bytes += mapped ? token_bytes : t;
    }
    std::string storage;
    std::string text(valid_utf8(bytes, storage));
    tokens.assign(1, std::move(text));
  }
};

// Runs of <0xNN> tokens become their bytes when those form valid UTF-8, else one U+FFFD per byte.
class ByteFallbackDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    std::string bytes;
    auto flush = [&] {
      if (bytes.empty()) return;
      std::string storage;
      if (valid_utf8(bytes, storage).data() == bytes.data()) {
        out.push_back(bytes);
      } else {
        for (size_t k = 0; k < bytes.size(); ++k) out.emplace_back("\xEF\xBF\xBD");
      }
      bytes.clear();
    };
    for (std::string& t : tokens) {
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && std::isxdigit(static_cast<unsigned char>(t[3])) &&
          std::isxdigit(static_cast<unsigned char>(t[4]))) {
        bytes += static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16));
        continue;
      }
      flush();
      out.push_back(std::move(t));
    }
    flush();
    tokens = std::move(out);
  }
};

// Every replacement character becomes a space, except that the first token loses all of them
// when a prefix was prepended (that is what tokenizers 0.19+ does).
class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool strip_first) : replacement_(std::move(replacement)), strip_first_(strip_first) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& t = tokens[i];
      size_t pos = 0;
      while (pos < t.size()) {
        if (t.compare(pos, replacement_.size(), replacement_) == 0) {
          if (!(i == 0 && strip_first_)) out += ' ';
          pos += replacement_.size();
        } else {
          out += t[pos++];
        }
      }
      tokens[i] = std::move(out);
    }
  }

 private:
  std::string replacement_;
  bool strip_first_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<Span> matches;
    for (std::string& t : tokens) {
      matches.clear();
      pattern_.find_all(t, matches);
      if (matches.empty()) continue;
      std::string out;
      size_t prev = 0;
      for (auto [b, e] : matches) {
        out.append(t, prev, b - prev);
        out += content_;
        prev = e;
      }
      out.append(t, prev, std::string::npos);
      t = std::move(out);
    }
  }

 private:
  Pattern pattern_;
  std::string content_;
};

class FuseDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const std::string& t : tokens) all += t;
    tokens.assign(1, std::move(all));
  }
};

// Removes up to `start` leading and `stop` trailing copies of one character from every token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(std::string content, size_t start, size_t stop) : content_(std::move(content)), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    const size_t n = content_.size();
    for (std::string& t : tokens) {
      size_t begin = 0, end = t.size();
      for (size_t k = 0; k < start_ && end - begin >= n && t.compare(begin, n, content_) == 0; ++k) begin += n;
      for (size_t k = 0; k < stop_ && end - begin >= n && t.compare(end - n, n, content_) == 0; ++k) end -= n;
      t = t.substr(begin, end - begin);
    }
  }

 private:
  std::string content_;
  size_t start_, stop_;
};

size_t count(const JsonView& v, std::string_view key) {
  int64_t n = v.integer(key, 0);
  if (n < 0) v.at(key).fail("expected a count >= 0");
  return static_cast<size_t>(n);
}

}  // namespace

std::unique_ptr<Decoder> parse_decoder(const JsonView& v) {
  if (v.json().is_null()) return nullptr;
  std::string type = v.type();
  if (type == "Sequence") {
    JsonView list = v.at("decoders");
    std::vector<std::unique_ptr<Decoder>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto d = parse_decoder(list.at(i))) steps.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(steps));
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Metaspace") {
    std::string replacement = v.has("replacement") ? v.string("replacement") : "\xE2\x96\x81";
    bool strip_first = v.has("prepend_scheme") ? v.string("prepend_scheme") != "never" : v.boolean("add_prefix_space", true);
    return std::make_unique<MetaspaceDecoder>(replacement, strip_first);
  }
  if (type == "Replace") return std::make_unique<ReplaceDecoder>(parse_pattern(v.at("pattern")), v.string("content"));
  if (type == "Strip") return std::make_unique<StripDecoder>(v.string("content"), count(v, "start"), count(v, "stop"));
  v.at("type").fail("unsupported decoder type \"" + type +
                    "\" (supported: ByteLevel, ByteFallback, Metaspace, Replace, Fuse, Strip, Sequence)");
}

}  // namespace evalq::tok
