// GELU variants of ORT's transformer fusions (com.microsoft), computed in fp32:
//   FastGelu(x [, bias])  tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
//                         grouped as ORT does: x * (0.0356774 x^2 + 0.7978846), then tanh;
//   BiasGelu(a, bias)     exact erf GELU of a + bias;
//   QuickGelu(x)          x * sigmoid(alpha x), alpha default 1.702.
// A bias is one row of the last dimension, added to every row.
#include <tbb/parallel_for.h>

#include <cmath>
#include <vector>

#include "exec/kernel.h"
#include "ops/contrib/float_io.h"

namespace evalq {
namespace {

enum class GeluKind { Fast, Bias, Quick };

template <GeluKind kKind>
class Gelu final : public OpKernel {
 public:
  explicit Gelu(const KernelInfo& info) : alpha_(kKind == GeluKind::Quick ? info.get_float("alpha", 1.702f) : 0.f) {}

  void compute(KernelContext& ctx) const override {
    const Tensor& x_in = ctx.required_input(0);
    const Tensor* bias_in = kKind == GeluKind::Quick ? nullptr
                            : kKind == GeluKind::Bias ? &ctx.required_input(1)
                                                      : ctx.input(1);
    const int64_t width = x_in.rank() == 0 ? 1 : x_in.shape().back();
    if (bias_in && (bias_in->numel() != width || width == 0)) {
      throw Error(ctx.node().describe() + ": bias has shape " + shape_string(bias_in->shape()) +
                  ", expected the last dim of input " + shape_string(x_in.shape()));
    }
    Tensor x = float_input(ctx, x_in, "input");
    Tensor bias = bias_in ? float_input(ctx, *bias_in, "bias") : Tensor();
    Tensor& y = ctx.allocate_output(0, x_in.dtype(), x_in.shape());
    const int64_t rows = width == 0 ? 0 : x_in.numel() / width;
    const float* xs = x.data<float>();
    const float* bs = bias.defined() ? bias.data<float>() : nullptr;
    tbb::parallel_for(int64_t{0}, rows, [&](int64_t r) {
      std::vector<float> out(width);
      for (int64_t i = 0; i < width; ++i) {
        float v = xs[r * width + i];
        if (bs) v += bs[i];
        out[i] = apply(v);
      }
      store_floats(out.data(), width, y, r * width);
    });
  }

 private:
  float apply(float v) const {
    if constexpr (kKind == GeluKind::Fast) {
      constexpr float kB = 0.7978845608028654f;  // sqrt(2 / pi)
      constexpr float kC = 0.035677408136300125f;  // 0.044715 * sqrt(2 / pi)
      return v * 0.5f * (std::tanh(v * (kC * v * v + kB)) + 1.f);
    } else if constexpr (kKind == GeluKind::Bias) {
      return 0.5f * v * (1.f + std::erf(v * static_cast<float>(M_SQRT1_2)));
    } else {
      return v / (1.f + std::exp(-alpha_ * v));
    }
  }

  float alpha_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "FastGelu", 1, kLatestOpset, Gelu<GeluKind::Fast>);
EVALQ_REGISTER_KERNEL("com.microsoft", "BiasGelu", 1, kLatestOpset, Gelu<GeluKind::Bias>);
EVALQ_REGISTER_KERNEL("com.microsoft", "QuickGelu", 1, kLatestOpset, Gelu<GeluKind::Quick>);

}  // namespace evalq
