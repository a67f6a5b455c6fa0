#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace evalq::tok {

// Decodes the code point starting at s[i] of valid UTF-8 and advances i past it.
char32_t next_code_point(std::string_view s, size_t& i);
// Byte length of the UTF-8 sequence whose lead byte is `lead` (valid UTF-8 assumed).
inline size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}
void append_utf8(std::string& out, char32_t cp);

// `text` itself when it is valid UTF-8; otherwise a copy in `storage` with every ill-formed
// sequence replaced by U+FFFD the way Python's bytes.decode("utf-8", errors="replace") does
// (one U+FFFD per maximal ill-formed subpart), so ids match HF on text read that way.
std::string_view valid_utf8(std::string_view text, std::string& storage);

// Unicode properties as Rust's char methods define them (HF tokenizers is written in Rust).
bool is_whitespace(char32_t c);    // char::is_whitespace: White_Space
bool is_numeric(char32_t c);       // char::is_numeric: general category N*
// The \w of Rust's regex crate (UTS #18): Alphabetic, marks, Nd, Pc, Join_Control; HF uses it to
// decide whether a single_word added token touches a word.
bool is_word_char(char32_t c);

}  // namespace evalq::tok
