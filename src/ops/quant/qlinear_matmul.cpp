// ai.onnx QLinearMatMul (opsets 10, 21): y = saturate(round_half_even(int32 · (a_scale · b_scale[n]
// / y_scale)) + y_zero_point), the product (a − a_zp) × (b − b_zp) exact in int32. The combined
// multiplier is formed in fp32 in that order, as ONNX Runtime does.
#include <evalq/error.h>

#include <cmath>

#include "exec/kernel.h"
#include "quant/integer_matmul.h"
#include "quant/quant_values.h"

namespace evalq {
namespace {

class QLinearMatMul final : public OpKernel {
 public:
  explicit QLinearMatMul(const KernelInfo&) {}

  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor a_scale = to_float32(ctx.required_input(1));
    const Tensor b_scale = to_float32(ctx.required_input(4));
    const Tensor y_scale = to_float32(ctx.required_input(6));
    const Tensor& y_zp = ctx.required_input(7);
    if (a_scale.numel() != 1 || y_scale.numel() != 1 || y_zp.numel() != 1) {
      throw Error(node.describe() + ": a_scale, y_scale and y_zero_point must be scalars");
    }
    if (y_zp.dtype() != DType::UInt8 && y_zp.dtype() != DType::Int8) {
      throw Error(node.describe() + ": y_zero_point must be uint8 or int8, got " + dtype_name(y_zp.dtype()));
    }
    const IntegerProduct p = integer_matmul(ctx.required_input(0), ctx.required_input(3), quant_integers(ctx.required_input(2)),
                                            quant_integers(ctx.required_input(5)), node);
    if (b_scale.numel() != 1 && b_scale.numel() != p.N) {
      throw Error(node.describe() + ": b_scale must hold 1 or N = " + std::to_string(p.N) + " values");
    }
    std::vector<float> multiplier(static_cast<size_t>(p.N));
    for (int64_t n = 0; n < p.N; ++n) {
      multiplier[n] = a_scale.data<float>()[0] * b_scale.data<float>()[b_scale.numel() == 1 ? 0 : n] / y_scale.data<float>()[0];
    }
    const int32_t zp = quant_integers(y_zp)[0];
    const IntRange range = quant_range(y_zp.dtype());
    Tensor& y = ctx.allocate_output(0, y_zp.dtype(), p.shape);
    for (int64_t i = 0; i < static_cast<int64_t>(p.values.size()); ++i) {
      const float v = std::nearbyint(static_cast<float>(p.values[i]) * multiplier[i % p.N]) + static_cast<float>(zp);
      const int32_t q = static_cast<int32_t>(std::clamp(v, static_cast<float>(range.lo), static_cast<float>(range.hi)));
      if (y_zp.dtype() == DType::UInt8) {
        y.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(q);
      } else {
        y.mutable_data<int8_t>()[i] = static_cast<int8_t>(q);
      }
    }
  }
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "QLinearMatMul", 10, kLatestOpset, QLinearMatMul);

}  // namespace evalq
