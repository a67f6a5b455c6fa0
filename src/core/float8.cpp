#include "core/float8.h"

#include <cmath>
#include <limits>

#include <evalq/error.h>

namespace evalq {
namespace {

struct Float8Format {
  int exponent_bits;
  int mantissa_bits;
  int bias;
  bool fnuz;  // no negative zero; 0x80 is the only NaN, no infinities
  bool has_inf;
  float max_finite;
};

Float8Format format_of(DType type) {
  switch (type) {
    case DType::Float8E4M3FN: return {4, 3, 7, false, false, 448.0f};
    case DType::Float8E4M3FNUZ: return {4, 3, 8, true, false, 240.0f};
    case DType::Float8E5M2: return {5, 2, 15, false, true, 57344.0f};
    case DType::Float8E5M2FNUZ: return {5, 2, 16, true, false, 57344.0f};
    default: throw Error("not a float8 type: " + dtype_name(type));
  }
}

}  // namespace

float float8_to_float(DType type, uint8_t bits) {
  const Float8Format f = format_of(type);
  const int mant_mask = (1 << f.mantissa_bits) - 1;
  const int exp_mask = (1 << f.exponent_bits) - 1;
  if (f.fnuz && bits == 0x80) return std::numeric_limits<float>::quiet_NaN();
  bool negative = bits & 0x80;
  int exponent = (bits >> f.mantissa_bits) & exp_mask;
  int mantissa = bits & mant_mask;
  if (!f.fnuz) {
    if (type == DType::Float8E4M3FN && exponent == exp_mask && mantissa == mant_mask) {
      return std::numeric_limits<float>::quiet_NaN();
    }
    if (f.has_inf && exponent == exp_mask) {
      if (mantissa) return std::numeric_limits<float>::quiet_NaN();
      return negative ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
    }
  }
  float value;
  if (exponent == 0) {
    value = std::ldexp(static_cast<float>(mantissa), 1 - f.bias - f.mantissa_bits);
  } else {
    value = std::ldexp(static_cast<float>(mantissa + (1 << f.mantissa_bits)), exponent - f.bias - f.mantissa_bits);
  }
  return negative ? -value : value;
}

uint8_t float_to_float8(DType type, float value, bool saturate) {
  const Float8Format f = format_of(type);
  if (std::isnan(value)) return f.fnuz ? 0x80 : 0x7f;
  // Exhaustive search over the 256 codes keeps the rounding rule obviously right: nearest value,
  // ties to the code with an even mantissa.
  float magnitude = std::fabs(value);
  bool negative = std::signbit(value);
  if (magnitude > f.max_finite) {
    if (saturate || !f.has_inf) {
      if (!saturate) return f.fnuz ? 0x80 : 0x7f;
      magnitude = f.max_finite;
    } else {
      return static_cast<uint8_t>((negative ? 0x80 : 0) | 0x7c);
    }
  }
  uint8_t best = 0;
  float best_err = std::numeric_limits<float>::infinity();
  for (int code = 0; code < 128; ++code) {
    float v = float8_to_float(type, static_cast<uint8_t>(code));
    if (!std::isfinite(v)) continue;
    float err = std::fabs(v - magnitude);
    if (err < best_err || (err == best_err && (code & 1) == 0)) {
      best_err = err;
      best = static_cast<uint8_t>(code);
    }
  }
  if (negative && !(f.fnuz && best == 0)) best |= 0x80;
  return best;
}

}  // namespace evalq
