#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace evalq {

// Element types, numbered as ONNX TensorProto.DataType so a file's data_type maps directly.
enum class DType : int32_t {
  Undefined = 0,
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
};

// True for the types evalq can hold in a tensor (everything above but String and Undefined).
bool is_supported_dtype(int32_t onnx_data_type);
// Bits per element: 4 for the packed int4 types, 8 * sizeof otherwise.
int dtype_bits(DType t);
// Bytes needed for `count` elements (int4 packs two per byte, rounding up).
size_t dtype_bytes(DType t, int64_t count);
std::string dtype_name(DType t);
bool is_float(DType t);  // fp32/fp64/fp16/bf16/fp8

}  // namespace evalq
