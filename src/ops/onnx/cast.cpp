#include "ops/onnx/cast.h"

#include <cmath>
#include <cstring>

#include "core/float8.h"
#include "exec/kernel.h"
#include "ops/dispatch.h"
#include "quant/quant_values.h"

namespace evalq {
namespace {

// Destination types that are not native C++ types: fp16, bf16, fp8. Values arrive as float.
void write_special(const float* src, Tensor& out, bool saturate) {
  int64_t n = out.numel();
  if (is_half(out.dtype())) {
    narrow_half(src, out.mutable_raw(), out.dtype(), n);
    return;
  }
  uint8_t* dst = out.mutable_data<uint8_t>();
  for (int64_t i = 0; i < n; ++i) dst[i] = float_to_float8(out.dtype(), src[i], saturate);
}

template <typename From, typename To>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    // Out-of-range and NaN conversions are undefined in C++; ONNX Runtime's results there are
    // platform artifacts too, so map them deterministically instead of invoking UB.
    if (std::isnan(v)) return To(0);
    long double t = std::trunc(static_cast<long double>(v));
    if (t <= static_cast<long double>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (t >= static_cast<long double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(t);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace

void cast_into(const Tensor& in, Tensor& out, const Node& node, bool saturate) {
  const int64_t n = in.numel();
  DType from = in.dtype(), to = out.dtype();
  if (from == to) {
    if (in.nbytes()) std::memcpy(out.mutable_raw(), in.raw(), in.nbytes());
    return;
  }
  bool from_special = is_half(from) || is_quant_float8(from);
  bool to_special = is_half(to) || is_quant_float8(to);
  if (from_special || to_special) {
    Tensor f32 = from_special ? to_float32(in) : Tensor::empty(DType::Float32, in.shape());
    if (!from_special) {
      dispatch_numeric(from, node, [&]<typename F>() {
        const F* s = in.data<F>();
        float* d = f32.mutable_data<float>();
        for (int64_t i = 0; i < n; ++i) d[i] = static_cast<float>(s[i]);
      });
    }
    if (to_special) {
      write_special(f32.data<float>(), out, saturate);
    } else {
      dispatch_numeric(to, node, [&]<typename T>() {
        const float* s = f32.data<float>();
        T* d = out.mutable_data<T>();
        for (int64_t i = 0; i < n; ++i) d[i] = convert<float, T>(s[i]);
      });
    }
    return;
  }
  dispatch_numeric(from, node, [&]<typename F>() {
    dispatch_numeric(to, node, [&]<typename T>() {
      const F* s = in.data<F>();
      T* d = out.mutable_data<T>();
      for (int64_t i = 0; i < n; ++i) d[i] = convert<F, T>(s[i]);
    });
  });
}

Tensor cast_tensor(const Tensor& in, DType to, const Node& node, bool saturate) {
  if (in.dtype() == to) return in;
  Tensor out = Tensor::empty(to, in.shape());
  cast_into(in, out, node, saturate);
  return out;
}

namespace {

class CastKernel : public OpKernel {
 public:
  explicit CastKernel(const KernelInfo& info)
      : to_(static_cast<DType>(info.get_int("to"))), saturate_(info.get_int("saturate", 1) != 0) {
    if (!is_supported_dtype(static_cast<int32_t>(to_)) || dtype_bits(to_) % 8 != 0) {
      info.fail("cannot cast to element type " + std::to_string(static_cast<int>(to_)));
    }
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.required_input(0);
    if (in.dtype() == to_) {
      ctx.set_output(0, in);
      return;
    }
    Tensor& out = ctx.allocate_output(0, to_, in.shape());
    cast_into(in, out, ctx.node(), saturate_);
  }

 private:
  DType to_;
  bool saturate_;
};

class CastLikeKernel : public OpKernel {
 public:
  explicit CastLikeKernel(const KernelInfo& info) : saturate_(info.get_int("saturate", 1) != 0) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.required_input(0);
    DType to = ctx.required_input(1).dtype();
    if (in.dtype() == to) {
      ctx.set_output(0, in);
      return;
    }
    Tensor& out = ctx.allocate_output(0, to, in.shape());
    cast_into(in, out, ctx.node(), saturate_);
  }

 private:
  bool saturate_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Cast", 6, kLatestOpset, CastKernel);
EVALQ_REGISTER_KERNEL("", "CastLike", 15, kLatestOpset, CastLikeKernel);

}  // namespace evalq
