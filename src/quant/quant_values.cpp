#include "quant/quant_values.h"

#include <evalq/error.h>

#include <limits>

#include "core/float8.h"

namespace evalq {

bool is_quant_integer(DType t) {
  switch (t) {
    case DType::Int8: case DType::UInt8: case DType::Int16: case DType::UInt16: case DType::Int32:
    case DType::Int4: case DType::UInt4:
      return true;
    default:
      return false;
  }
}

bool is_quant_float8(DType t) {
  return t == DType::Float8E4M3FN || t == DType::Float8E4M3FNUZ || t == DType::Float8E5M2 ||
         t == DType::Float8E5M2FNUZ;
}

std::vector<int32_t> quant_integers(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.numel()));
  with_int_reader(t, [&](auto read) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = read(static_cast<int64_t>(i));
  });
  return v;
}

std::array<float, 256> float8_table(DType t) {
  std::array<float, 256> table{};
  for (int code = 0; code < 256; ++code) table[code] = float8_to_float(t, static_cast<uint8_t>(code));
  return table;
}

IntRange quant_range(DType t) {
  switch (t) {
    case DType::Int8: return {-128, 127};
    case DType::UInt8: return {0, 255};
    case DType::Int16: return {-32768, 32767};
    case DType::UInt16: return {0, 65535};
    case DType::Int32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case DType::Int4: return {-8, 7};
    case DType::UInt4: return {0, 15};
    default: throw Error("not an integer quantized type: " + dtype_name(t));
  }
}

}  // namespace evalq
