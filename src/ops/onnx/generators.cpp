// Ops that create tensors from scalars or shapes: Range and ConstantOfShape.
#include <cmath>
#include <cstring>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"

namespace evalq {
namespace {

class RangeKernel : public OpKernel {
 public:
  explicit RangeKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& start = ctx.required_input(0);
    const Tensor& limit = ctx.required_input(1);
    const Tensor& delta = ctx.required_input(2);
    if (start.numel() != 1 || limit.numel() != 1 || delta.numel() != 1) {
      throw Error(node.describe() + ": start, limit and delta must be scalars");
    }
    if (limit.dtype() != start.dtype() || delta.dtype() != start.dtype()) {
      throw Error(node.describe() + ": start, limit and delta must share one element type");
    }
    dispatch_numeric(start.dtype(), node, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        throw Error(node.describe() + ": bool ranges are not defined");
      } else {
        T s = *start.data<T>(), l = *limit.data<T>(), d = *delta.data<T>();
        if (d == T(0)) throw Error(node.describe() + ": delta must not be 0");
        double count = std::ceil((static_cast<double>(l) - static_cast<double>(s)) / static_cast<double>(d));
        int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
        Tensor& out = ctx.allocate_output(0, start.dtype(), {n});
        T* p = out.mutable_data<T>();
        T v = s;
        for (int64_t i = 0; i < n; ++i, v = static_cast<T>(v + d)) p[i] = v;
      }
    });
  }
};

class ConstantOfShapeKernel : public OpKernel {
 public:
  explicit ConstantOfShapeKernel(const KernelInfo& info) {
    if (info.has_attribute("value")) {
      value_ = info.get_tensor("value");
      if (value_.numel() != 1) info.fail("value must hold exactly one element");
    } else {
      value_ = Tensor::zeros(DType::Float32, {1});
    }
  }
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    Shape shape = int64_values(ctx.required_input(0), node, "shape");
    for (int64_t d : shape) {
      if (d < 0) throw Error(node.describe() + ": negative dimension in shape " + shape_string(shape));
    }
    Tensor& out = ctx.allocate_output(0, value_.dtype(), shape);
    size_t es = element_bytes(value_.dtype(), node);
    auto* dst = static_cast<uint8_t*>(out.mutable_raw());
    for (int64_t i = 0; i < out.numel(); ++i) std::memcpy(dst + i * es, value_.raw(), es);
  }

 private:
  Tensor value_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Range", 11, kLatestOpset, RangeKernel);
EVALQ_REGISTER_KERNEL("", "ConstantOfShape", 9, kLatestOpset, ConstantOfShapeKernel);

}  // namespace evalq
