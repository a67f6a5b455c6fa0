#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evalq::tok {

// A byte range [first, second) of a string.
using Span = std::pair<size_t, size_t>;

// A PCRE2 regex (UTF + UCP, JIT-compiled) standing in for the Oniguruma regexes HF tokenizers
// uses; safe to use from several threads at once.
class Regex {
 public:
  // Throws evalq::Error naming `where` (a file and JSON path) when the pattern does not compile.
  Regex(const std::string& pattern, const std::string& where);
  Regex(Regex&&) noexcept;
  ~Regex();

  // Appends the successive non-overlapping matches in `subject` (valid UTF-8) to `out`.
  void find_all(std::string_view subject, std::vector<Span>& out) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// Non-overlapping occurrences of a literal `needle`, left to right.
void find_literal(std::string_view subject, std::string_view needle, std::vector<Span>& out);

// Where `pattern` (a {"String": ..} or {"Regex": ..} object) matches: either kind of pattern.
class Pattern {
 public:
  static Pattern literal(std::string text) { return Pattern(std::move(text), nullptr); }
  static Pattern regex(const std::string& text, const std::string& where) {
    return Pattern(text, std::make_shared<Regex>(text, where));
  }
  void find_all(std::string_view subject, std::vector<Span>& out) const {
    if (regex_) regex_->find_all(subject, out);
    else find_literal(subject, text_, out);
  }

 private:
  Pattern(std::string text, std::shared_ptr<Regex> regex) : text_(std::move(text)), regex_(std::move(regex)) {}
  std::string text_;
  std::shared_ptr<Regex> regex_;
};

}  // namespace evalq::tok
