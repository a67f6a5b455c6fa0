#pragma once

// Element access for the integer and float8 types quantization ops store: reading values as
// int32 (or float for float8), writing saturated results.
#include <evalq/tensor.h>

#include <evalq/error.h>

#include <array>
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace evalq {

bool is_quant_integer(DType t);  // int8/uint8/int16/uint16/int32/int4/uint4
bool is_quant_float8(DType t);   // the four ONNX float8 types

// Every element of an integer tensor (zero points) widened to int32.
std::vector<int32_t> quant_integers(const Tensor& t);

// Decoded value of each of the 256 codes of a float8 type.
std::array<float, 256> float8_table(DType t);

// The representable range of an integer quantized type.
struct IntRange {
  int32_t lo;
  int32_t hi;
};
IntRange quant_range(DType t);

// Calls fn(reader) where reader(i) returns element i of `t` as int32; one instantiation per
// storage type keeps the inner loops free of type switches.
template <typename Fn>
void with_int_reader(const Tensor& t, Fn&& fn) {
  switch (t.dtype()) {
    case DType::Int8: { const int8_t* p = t.data<int8_t>(); fn([p](int64_t i) { return int32_t{p[i]}; }); break; }
    case DType::UInt8: { const uint8_t* p = t.data<uint8_t>(); fn([p](int64_t i) { return int32_t{p[i]}; }); break; }
    case DType::Int16: { const int16_t* p = t.data<int16_t>(); fn([p](int64_t i) { return int32_t{p[i]}; }); break; }
    case DType::UInt16: { const uint16_t* p = t.data<uint16_t>(); fn([p](int64_t i) { return int32_t{p[i]}; }); break; }
    case DType::Int32: { const int32_t* p = t.data<int32_t>(); fn([p](int64_t i) { return p[i]; }); break; }
    case DType::Int4: {
      const uint8_t* p = t.data<uint8_t>();
      fn([p](int64_t i) { return int32_t{static_cast<int8_t>(static_cast<int8_t>((i & 1 ? p[i >> 1] >> 4 : p[i >> 1]) << 4) >> 4)}; });
      break;
    }
    case DType::UInt4: {
      const uint8_t* p = t.data<uint8_t>();
      fn([p](int64_t i) { return int32_t{static_cast<uint8_t>((i & 1 ? p[i >> 1] >> 4 : p[i >> 1]) & 0x0F)}; });
      break;
    }
    default: throw Error("not an integer quantized type: " + dtype_name(t.dtype()));
  }
}

}  // namespace evalq
