// Integer matrix products with zero points, exact in int32:
//   ai.onnx MatMulInteger:              Y = (A − a_zp) × (B − b_zp)                 (int32)
//   com.microsoft MatMulIntegerToFloat: Y = float(int32) · (a_scale · b_scale[n]) + bias[n]
//   com.microsoft DynamicQuantizeMatMul: A quantized to uint8 as DynamicQuantizeLinear does,
//                                        then as MatMulIntegerToFloat
// b_zero_point / b_scale may hold one value per column; a_zero_point one per row (MatMulInteger).
#include <evalq/error.h>

#include "exec/kernel.h"
#include "quant/dynamic_quant.h"
#include "quant/integer_matmul.h"
#include "quant/quant_values.h"

namespace evalq {
namespace {

std::vector<int32_t> zero_points(const Tensor* t) { return t ? quant_integers(*t) : std::vector<int32_t>(); }

// Y = float(product) · (a_scale · b_scale[n]) + bias[n], in the output's float type.
void scale_to_float(KernelContext& ctx, const IntegerProduct& p, float a_scale, const Tensor& b_scale_in,
                    const Tensor* bias_in, DType out_type) {
  const Node& node = ctx.node();
  const Tensor b_scale = to_float32(b_scale_in);
  if (b_scale.numel() != 1 && b_scale.numel() != p.N) {
    throw Error(node.describe() + ": b_scale must hold 1 or N = " + std::to_string(p.N) + " values, got " +
                std::to_string(b_scale.numel()));
  }
  Tensor bias;
  if (bias_in) {
    bias = to_float32(*bias_in);
    if (bias.numel() != p.N) throw Error(node.describe() + ": bias must hold N = " + std::to_string(p.N) + " values");
  }
  std::vector<float> multiplier(static_cast<size_t>(p.N));
  for (int64_t n = 0; n < p.N; ++n) multiplier[n] = a_scale * b_scale.data<float>()[b_scale.numel() == 1 ? 0 : n];
  Tensor& y = ctx.allocate_output(0, out_type, p.shape);
  const int64_t count = static_cast<int64_t>(p.values.size());
  for (int64_t i = 0; i < count; ++i) {
    const int64_t n = i % p.N;
    float v = static_cast<float>(p.values[i]) * multiplier[n];
    if (bias.defined()) v += bias.data<float>()[n];
    if (out_type == DType::Float16) {
      y.mutable_data<uint16_t>()[i] = float_to_half(v);
    } else {
      y.mutable_data<float>()[i] = v;
    }
  }
}

float scalar_float(const Tensor& t, const Node& node, const char* what) {
  if (t.numel() != 1) throw Error(node.describe() + ": " + what + " must be a scalar, got shape " + shape_string(t.shape()));
  return to_float32(t).data<float>()[0];
}

class MatMulInteger final : public OpKernel {
 public:
  explicit MatMulInteger(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const IntegerProduct p = integer_matmul(ctx.required_input(0), ctx.required_input(1), zero_points(ctx.input(2)),
                                            zero_points(ctx.input(3)), ctx.node());
    Tensor& y = ctx.allocate_output(0, DType::Int32, p.shape);
    std::copy(p.values.begin(), p.values.end(), y.mutable_data<int32_t>());
  }
};

class MatMulIntegerToFloat final : public OpKernel {
 public:
  explicit MatMulIntegerToFloat(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& a_scale = ctx.required_input(2);
    const IntegerProduct p = integer_matmul(ctx.required_input(0), ctx.required_input(1), zero_points(ctx.input(4)),
                                            zero_points(ctx.input(5)), ctx.node());
    scale_to_float(ctx, p, scalar_float(a_scale, ctx.node(), "a_scale"), ctx.required_input(3), ctx.input(6),
                   a_scale.dtype());
  }
};

class DynamicQuantizeMatMul final : public OpKernel {
 public:
  explicit DynamicQuantizeMatMul(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& a_in = ctx.required_input(0);
    const Tensor a = to_float32(a_in);
    const Uint8Params params = dynamic_uint8_params(a.data<float>(), a.numel());
    Tensor qa = Tensor::empty(DType::UInt8, a.shape());
    quantize_uint8(a.data<float>(), a.numel(), params, qa.mutable_data<uint8_t>());
    const IntegerProduct p = integer_matmul(qa, ctx.required_input(1), {params.zero_point}, zero_points(ctx.input(3)),
                                            ctx.node());
    scale_to_float(ctx, p, params.scale, ctx.required_input(2), ctx.input(4), a_in.dtype());
  }
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "MatMulInteger", 10, kLatestOpset, MatMulInteger);
EVALQ_REGISTER_KERNEL("com.microsoft", "MatMulIntegerToFloat", 1, kLatestOpset, MatMulIntegerToFloat);
EVALQ_REGISTER_KERNEL("com.microsoft", "DynamicQuantizeMatMul", 1, kLatestOpset, DynamicQuantizeMatMul);

}  // namespace evalq
