#include "tokenizer/normalizers.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>

#include <vector>

#include "tokenizer/regex.h"
#include "tokenizer/split.h"
#include "tokenizer/unicode.h"

namespace evalq::tok {
namespace {

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  void normalize(std::string& text) const override {
    for (const auto& s : steps_) s->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void normalize(std::string& text) const override {
    std::vector<Span> matches;
    pattern_.find_all(text, matches);
    if (matches.empty()) return;
    std::string out;
    out.reserve(text.size() + matches.size() * content_.size());
    size_t prev = 0;
    for (auto [b, e] : matches) {
      out.append(text, prev, b - prev);
      out += content_;
      prev = e;
    }
    out.append(text, prev, std::string::npos);
    text = std::move(out);
  }

 private:
  Pattern pattern_;
  std::string content_;
};

class UnicodeNormalizer : public Normalizer {
 public:
  UnicodeNormalizer(const icu::Normalizer2* form, const JsonView& where) : form_(form) {
    if (!form_) where.fail("ICU has no data for this Unicode normalization form");
  }
  void normalize(std::string& text) const override {
    bool ascii = true;
    for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (ascii) return;
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString in = icu::UnicodeString::fromUTF8(text);
    if (form_->isNormalized(in, status) && U_SUCCESS(status)) return;
    status = U_ZERO_ERROR;
    icu::UnicodeString out = form_->normalize(in, status);
    if (U_FAILURE(status)) throw Error(std::string("Unicode normalization failed: ") + u_errorName(status));
    text.clear();
    out.toUTF8String(text);
  }

 private:
  const icu::Normalizer2* form_;
};

// Rust's char::to_lowercase, one code point at a time (no context such as final sigma).
class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
      size_t start = i;
      char32_t c = next_code_point(text, i);
      if (c < 0x80) {
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        continue;
      }
      UChar src[2], dst[8];
      int32_t src_len = 0;
      U16_APPEND_UNSAFE(src, src_len, static_cast<UChar32>(c));
      UErrorCode status = U_ZERO_ERROR;
      int32_t n = u_strToLower(dst, 8, src, src_len, "", &status);
      if (U_FAILURE(status)) {
        out.append(text, start, i - start);
        continue;
      }
      for (int32_t k = 0; k < n;) {
        UChar32 cp;
        U16_NEXT_UNSAFE(dst, k, cp);
        append_utf8(out, static_cast<char32_t>(cp));
      }
    }
    text = std::move(out);
  }
};

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& text) const override {
    size_t begin = 0, end = text.size();
    if (left_) {
      while (begin < end) {
        size_t i = begin;
        if (!is_whitespace(next_code_point(text, i))) break;
        begin = i;
      }
    }
    if (right_) {
      while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        size_t i = start;
        if (!is_whitespace(next_code_point(text, i))) break;
        end = start;
      }
    }
    text = text.substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

const icu::Normalizer2* icu_form(const std::string& type) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* form = nullptr;
  if (type == "NFC") form = icu::Normalizer2::getNFCInstance(status);
  else if (type == "NFD") form = icu::Normalizer2::getNFDInstance(status);
  else if (type == "NFKC") form = icu::Normalizer2::getNFKCInstance(status);
  else form = icu::Normalizer2::getNFKDInstance(status);
  return U_SUCCESS(status) ? form : nullptr;
}

}  // namespace

std::unique_ptr<Normalizer> parse_normalizer(const JsonView& v) {
  if (v.json().is_null()) return nullptr;
  std::string type = v.type();
  if (type == "Sequence") {
    JsonView list = v.at("normalizers");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto n = parse_normalizer(list.at(i))) steps.push_back(std::move(n));
    }
    return std::make_unique<SequenceNormalizer>(std::move(steps));
  }
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(v.string("prepend"));
  if (type == "Replace") return std::make_unique<ReplaceNormalizer>(parse_pattern(v.at("pattern")), v.string("content"));
  if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
    return std::make_unique<UnicodeNormalizer>(icu_form(type), v);
  }
  if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (type == "Strip") return std::make_unique<StripNormalizer>(v.boolean("strip_left", true), v.boolean("strip_right", true));
  v.at("type").fail("unsupported normalizer type \"" + type +
                    "\" (supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip)");
}

}  // namespace evalq::tok
