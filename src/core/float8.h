#pragma once

#include <evalq/dtype.h>

#include <cstdint>

namespace evalq {

// Decodes one float8 byte of the given ONNX float8 type (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ).
float float8_to_float(DType type, uint8_t bits);
// Encodes with round-to-nearest-even; `saturate` clamps out-of-range values to the largest
// finite value (ONNX QuantizeLinear/Cast default) instead of producing inf/NaN.
uint8_t float_to_float8(DType type, float value, bool saturate);

}  // namespace evalq
