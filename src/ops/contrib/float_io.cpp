#include "ops/contrib/float_io.h"

#include <cstring>

#include "ops/dispatch.h"

namespace evalq {

bool is_contrib_float(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float16 || dtype == DType::BFloat16;
}

void check_contrib_float(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (!is_contrib_float(t.dtype())) {
    throw Error(ctx.node().describe() + ": " + what + " must be float32, float16 or bfloat16, got " +
                dtype_name(t.dtype()));
  }
}

Tensor float_input(const KernelContext& ctx, const Tensor& t, const char* what) {
  check_contrib_float(ctx, t, what);
  return to_float32(t);
}

const float* load_floats(const Tensor& src, int64_t offset, int64_t count, std::vector<float>& buffer) {
  if (src.dtype() == DType::Float32) return src.data<float>() + offset;
  buffer.resize(static_cast<size_t>(count));
  const uint16_t* bits = src.data<uint16_t>() + offset;
  if (src.dtype() == DType::Float16) {
    for (int64_t i = 0; i < count; ++i) buffer[i] = half_to_float(bits[i]);
  } else {
    for (int64_t i = 0; i < count; ++i) buffer[i] = bfloat16_to_float(bits[i]);
  }
  return buffer.data();
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
