#pragma once

// Packed 4-bit integers, as ONNX INT4/UINT4 tensors and MatMulNBits weights store them: two
// values per byte, element 0 in the low nibble.
#include <cstddef>
#include <cstdint>

namespace evalq {

inline uint8_t uint4_at(const uint8_t* packed, size_t i) {
  return (i & 1) ? static_cast<uint8_t>(packed[i >> 1] >> 4) : static_cast<uint8_t>(packed[i >> 1] & 0x0F);
}

// Two's complement nibble, -8..7.
inline int8_t int4_at(const uint8_t* packed, size_t i) {
  return static_cast<int8_t>(static_cast<int8_t>(uint4_at(packed, i) << 4) >> 4);
}

// Writes the low 4 bits of `value` at element i, keeping the other nibble of the byte.
inline void set_nibble(uint8_t* packed, size_t i, uint8_t value) {
  uint8_t& byte = packed[i >> 1];
  if (i & 1) {
    byte = static_cast<uint8_t>((byte & 0x0F) | ((value & 0x0F) << 4));
  } else {
    byte = static_cast<uint8_t>((byte & 0xF0) | (value & 0x0F));
  }
}

}  // namespace evalq
