#include "ops/contrib/float_io.h"

#include <cstring>

#include "ops/dispatch.h"

namespace evalq {

bool is_contrib_float(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float16 || dtype == DType::BFloat16;
}

Tensor float_input(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (!is_contrib_float(t.dtype())) {
    throw Error(ctx.node().describe() + ": " + what + " must be float32, float16 or bfloat16, got " +
                dtype_name(t.dtype()));
  }
  return to_float32(t);
}

void store_floats(const float* src, int64_t count, Tensor& dst, int64_t offset) {
  switch (dst.dtype()) {
    case DType::Float32:
      std::memcpy(dst.mutable_data<float>() + offset, src, sizeof(float) * count);
      return;
    case DType::Float16:
    case DType::BFloat16:
      narrow_half(src, dst.mutable_data<uint16_t>() + offset, dst.dtype(), count);
      return;
    default:
      throw Error("store_floats: cannot store into a " + dtype_name(dst.dtype()) + " tensor");
  }
}

}  // namespace evalq
