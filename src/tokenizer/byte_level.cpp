#include "tokenizer/byte_level.h"

#include "tokenizer/unicode.h"

namespace evalq::tok {

ByteLevelAlphabet::ByteLevelAlphabet() {
  code_point_to_byte_.fill(-1);
  auto printable = [](int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    char32_t cp = printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
    append_utf8(byte_to_utf8_[b], cp);
    code_point_to_byte_[cp] = b;
  }
}

const ByteLevelAlphabet& ByteLevelAlphabet::instance() {
  static const ByteLevelAlphabet alphabet;
  return alphabet;
}

void ByteLevelAlphabet::encode(std::string_view bytes, std::string& out) const {
  for (char c : bytes) out += byte_to_utf8_[static_cast<unsigned char>(c)];
}

std::optional<unsigned char> ByteLevelAlphabet::byte_of(char32_t c) const {
  if (c >= code_point_to_byte_.size() || code_point_to_byte_[c] < 0) return std::nullopt;
  return static_cast<unsigned char>(code_point_to_byte_[c]);
}

}  // namespace evalq::tok
