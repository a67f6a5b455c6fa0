#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regex.h"

#include <evalq/error.h>
#include <pcre2.h>

#include "tokenizer/unicode.h"

namespace evalq::tok {

namespace {

// HF tokenizers runs its regexes with Oniguruma, whose Unicode \s and \w differ from PCRE2's:
// Oniguruma's \s is TAB..CR, NEL and the Z categories (PCRE2 adds U+180E), and its \w is the
// UTS #18 word class (PCRE2 10.42 leaves out marks, so "e\u0301" would split). The escapes are
// rewritten into explicit classes; \S and \W inside a bracket class are left to PCRE2, as a
// complement cannot be written inside a union.
constexpr const char* kOnigSpace = R"(\t\n\x0B\f\r\x{85}\p{Z})";
constexpr const char* kOnigWord = R"(\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control})";

std::string oniguruma_to_pcre2(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 64);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char e = pattern[++i];
      const char* set = (e == 's' || e == 'S') ? kOnigSpace : (e == 'w' || e == 'W') ? kOnigWord : nullptr;
      bool negated = e == 'S' || e == 'W';
      if (set && !in_class) {
        out += negated ? "[^" : "[";
        out += set;
        out += ']';
      } else if (set && !negated) {
        out += set;
      } else {
        out += c;
        out += e;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
      continue;
    }
    if (in_class && c == ']') in_class = false;
    out += c;
  }
  return out;
}

}  // namespace

struct Regex::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Compiled() { pcre2_code_free(code); }
};

Regex::Regex(const std::string& pattern, const std::string& where) : compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  std::string translated = oniguruma_to_pcre2(pattern);
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                  PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (!compiled_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    throw Error(where + ": regex does not compile at offset " + std::to_string(offset) + ": " +
                reinterpret_cast<const char*>(message) + " (pattern " + pattern + ")");
  }
  compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::Regex(Regex&&) noexcept = default;
Regex::~Regex() = default;

void Regex::find_all(std::string_view subject, std::vector<Span>& out) const {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(compiled_->code, nullptr);
  auto subject_ptr = reinterpret_cast<PCRE2_SPTR>(subject.data());
  size_t start = 0;
  while (start <= subject.size()) {
    // The caller guarantees valid UTF-8, so PCRE2's per-call check (linear in the subject, and
    // so quadratic over a long text) is skipped.
    uint32_t options = PCRE2_NO_UTF_CHECK;
    int rc = pcre2_match(compiled_->code, subject_ptr, subject.size(), start, options, data, nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      rc = pcre2_match(compiled_->code, subject_ptr, subject.size(), start, options | PCRE2_NO_JIT, data, nullptr);
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      pcre2_match_data_free(data);
      throw Error("tokenizer regex failed with PCRE2 error " + std::to_string(rc));
    }
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    size_t begin = ovector[0], end = ovector[1];
    out.emplace_back(begin, end);
    if (end > begin) {
      start = end;
    } else if (end < subject.size()) {
      start = end + utf8_length(static_cast<unsigned char>(subject[end]));
    } else {
      break;
    }
  }
  pcre2_match_data_free(data);
}

void find_literal(std::string_view subject, std::string_view needle, std::vector<Span>& out) {
  if (needle.empty()) return;
  for (size_t pos = subject.find(needle); pos != std::string_view::npos; pos = subject.find(needle, pos + needle.size())) {
    out.emplace_back(pos, pos + needle.size());
  }
}

}  // namespace evalq::tok
