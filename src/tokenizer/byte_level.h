#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace evalq::tok {

// GPT-2's reversible map of the 256 byte values onto printable code points (bytes_to_unicode).
class ByteLevelAlphabet {
 public:
  static const ByteLevelAlphabet& instance();
  // Appends the UTF-8 of the code point standing for each byte of `bytes`.
  void encode(std::string_view bytes, std::string& out) const;
  std::optional<unsigned char> byte_of(char32_t c) const;

 private:
  ByteLevelAlphabet();
  std::array<std::string, 256> byte_to_utf8_;
  std::array<int, 324> code_point_to_byte_;  // the alphabet lies below U+0144
};

}  // namespace evalq::tok
