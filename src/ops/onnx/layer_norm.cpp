// LayerNormalization (opset 17): normalizes over dims [axis, rank); optional Mean and InvStdDev
// outputs keep the normalized dims as 1. Statistics in double, as precise as ORT's float path
// or better.
#include <tbb/parallel_for.h>

#include <cmath>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"

namespace evalq {
namespace {

class LayerNormKernel : public OpKernel {
 public:
  explicit LayerNormKernel(const KernelInfo& info)
      : axis_(info.get_int("axis", -1)), epsilon_(info.get_float("epsilon", 1e-5f)) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& x0 = ctx.required_input(0);
    Tensor x = widen_half(x0);
    Tensor scale = widen_half(ctx.required_input(1));
    Tensor bias;
    if (const Tensor* b = ctx.input(2)) bias = widen_half(*b);
    if (x.dtype() != DType::Float32) throw Error(node.describe() + ": input must be fp32, fp16 or bf16");
    int64_t r = static_cast<int64_t>(x.rank());
    int64_t axis = normalize_axis(axis_, r, node);
    int64_t rows = 1, n = 1;
    for (int64_t d = 0; d < axis; ++d) rows *= x.shape()[d];
    for (int64_t d = axis; d < r; ++d) n *= x.shape()[d];
    if (scale.numel() != n || (bias.defined() && bias.numel() != n)) {
      throw Error(node.describe() + ": scale and bias must have " + std::to_string(n) + " elements (the normalized dims " +
                  "of input " + shape_string(x.shape()) + ")");
    }
    Shape stat_shape = x.shape();
    for (int64_t d = axis; d < r; ++d) stat_shape[d] = 1;
    Tensor y = is_half(x0.dtype()) ? Tensor::empty(DType::Float32, x.shape()) : ctx.allocate_output(0, DType::Float32, x.shape());
    float* mean_out = ctx.output_wanted(1) ? ctx.allocate_output(1, DType::Float32, stat_shape).mutable_data<float>() : nullptr;
    float* inv_out = ctx.output_wanted(2) ? ctx.allocate_output(2, DType::Float32, stat_shape).mutable_data<float>() : nullptr;
    const float* px = x.data<float>();
    const float* ps = scale.data<float>();
    const float* pb = bias.defined() ? bias.data<float>() : nullptr;
    float* py = y.mutable_data<float>();
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows), [&](const tbb::blocked_range<int64_t>& rg) {
      for (int64_t row = rg.begin(); row < rg.end(); ++row) {
        const float* v = px + row * n;
        double sum = 0, sq = 0;
        for (int64_t j = 0; j < n; ++j) {
          sum += v[j];
          sq += static_cast<double>(v[j]) * v[j];
        }
        double mean = sum / n;
        double var = std::max(0.0, sq / n - mean * mean);
        float inv = static_cast<float>(1.0 / std::sqrt(var + epsilon_));
        float m = static_cast<float>(mean);
        for (int64_t j = 0; j < n; ++j) py[row * n + j] = (v[j] - m) * inv * ps[j] + (pb ? pb[j] : 0.0f);
        if (mean_out) mean_out[row] = m;
        if (inv_out) inv_out[row] = inv;
      }
    });
    if (is_half(x0.dtype())) {
      set_narrowed_output(ctx, 0, y, x0.dtype());
    }
  }

 private:
  int64_t axis_;
  float epsilon_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "LayerNormalization", 17, kLatestOpset, LayerNormKernel);

}  // namespace evalq
