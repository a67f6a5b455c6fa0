#include "ops/dispatch.h"

namespace evalq {

void narrow_half(const float* src, void* dst, DType dst_type, int64_t n) {
  auto* out = static_cast<uint16_t*>(dst);
  if (dst_type == DType::Float16) {
    for (int64_t i = 0; i < n; ++i) out[i] = float_to_half(src[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = float_to_bfloat16(src[i]);
  }
}

void set_narrowed_output(KernelContext& ctx, size_t i, const Tensor& result, DType type) {
  Tensor& out = ctx.allocate_output(i, type, result.shape());
  narrow_half(result.data<float>(), out.mutable_raw(), type, out.numel());
}

size_t element_bytes(DType t, const Node& node) {
  if (dtype_bits(t) % 8 != 0) {
    throw Error(node.describe() + ": packed " + dtype_name(t) + " tensors are not supported by this op");
  }
  return static_cast<size_t>(dtype_bits(t) / 8);
}

}  // namespace evalq
