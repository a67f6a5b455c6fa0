#pragma once

// Type dispatch for kernels: calls a template lambda `f.template operator()<T>()` with the C++
// type that holds a tensor's elements. fp16/bf16 are not native: kernels convert them to fp32.
#include <evalq/error.h>
#include <evalq/tensor.h>

#include <cstdint>
#include <string>

#include "exec/kernel.h"
#include "graph/graph.h"

namespace evalq {

template <typename F>
decltype(auto) dispatch_numeric(DType t, const Node& node, F&& f) {
  switch (t) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Int32: return f.template operator()<int32_t>();
    case DType::Int16: return f.template operator()<int16_t>();
    case DType::Int8: return f.template operator()<int8_t>();
    case DType::UInt8: return f.template operator()<uint8_t>();
    case DType::UInt16: return f.template operator()<uint16_t>();
    case DType::UInt32: return f.template operator()<uint32_t>();
    case DType::UInt64: return f.template operator()<uint64_t>();
    case DType::Bool: return f.template operator()<bool>();
    default:
      throw Error(node.describe() + ": element type " + dtype_name(t) + " is not supported here");
  }
}

// fp16 and bf16 are computed in fp32: true when `t` is one of them.
inline bool is_half(DType t) { return t == DType::Float16 || t == DType::BFloat16; }

// `t` in fp32 when it is fp16/bf16, else `t` itself.
inline Tensor widen_half(const Tensor& t) { return is_half(t.dtype()) ? to_float32(t) : t; }

// Writes fp32 values into a fp16/bf16 destination with round-to-nearest-even.
void narrow_half(const float* src, void* dst, DType dst_type, int64_t n);

// Output i as `type` (fp16/bf16) from the fp32 `result` a kernel computed for it.
void set_narrowed_output(KernelContext& ctx, size_t i, const Tensor& result, DType type);

// Element size in bytes for byte-moving kernels (Gather, Transpose, Concat, ...): every type but
// the packed 4-bit ones.
size_t element_bytes(DType t, const Node& node);

}  // namespace evalq
