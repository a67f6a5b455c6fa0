// SkipLayerNormalization and SkipSimplifiedLayerNormalization (com.microsoft): s = input + skip
// (+ bias), then LayerNorm or RMSNorm of s over the last dim. Follows ORT's CPU kernel: fp32
// sums of s and s^2 in one pass, variance as E[s^2] - mean^2, output = (s - mean) / root * gamma
// (+ beta). A skip smaller than the input repeats along the leading dims, as in ORT.
#include <tbb/parallel_for.h>

#include <cmath>
#include <vector>

#include "exec/kernel.h"
#include "ops/contrib/float_io.h"

namespace evalq {
namespace {

template <bool kSimplified>
class SkipLayerNorm final : public OpKernel {
 public:
  explicit SkipLayerNorm(const KernelInfo& info) : epsilon_(info.get_float("epsilon", 1e-12f)) {
    if (epsilon_ < 0) info.fail("epsilon must be >= 0");
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& input_in = ctx.required_input(0);
    const Tensor& skip_in = ctx.required_input(1);
    const Tensor& gamma_in = ctx.required_input(2);
    // SkipSimplifiedLayerNormalization's schema puts bias at index 3; SkipLayerNormalization has
    // beta there and bias at 4.
    const Tensor* beta_in = kSimplified ? nullptr : ctx.input(3);
    const Tensor* bias_in = kSimplified ? ctx.input(3) : ctx.input(4);
    const std::string& where = ctx.node().describe();
    if (input_in.rank() < 2) throw Error(where + ": input must have rank >= 2, got " + shape_string(input_in.shape()));
    const int64_t hidden = input_in.shape().back();
    const int64_t rows = input_in.numel() / std::max<int64_t>(hidden, 1);
    const int64_t skip_size = skip_in.numel();
    if (skip_in.shape().empty() || skip_in.shape().back() != hidden || skip_size == 0 ||
        input_in.numel() % skip_size != 0) {
      throw Error(where + ": skip " + shape_string(skip_in.shape()) + " does not fit input " +
                  shape_string(input_in.shape()) + " (last dim must match, leading dims repeat)");
    }
    auto check_vector = [&](const Tensor* t, const char* what) {
      if (t && t->numel() != hidden) {
        throw Error(where + ": " + what + " has shape " + shape_string(t->shape()) + ", expected [" +
                    std::to_string(hidden) + "]");
      }
    };
    check_vector(&gamma_in, "gamma");
    check_vector(beta_in, "beta");
    check_vector(bias_in, "bias");

    Tensor input = float_input(ctx, input_in, "input");
    Tensor skip = float_input(ctx, skip_in, "skip");
    Tensor gamma = float_input(ctx, gamma_in, "gamma");
    Tensor beta = beta_in ? float_input(ctx, *beta_in, "beta") : Tensor();
    Tensor bias = bias_in ? float_input(ctx, *bias_in, "bias") : Tensor();

    Tensor& output = ctx.allocate_output(0, input_in.dtype(), input_in.shape());
    Shape stat_shape = input_in.shape();
    stat_shape.back() = 1;
    float* mean_out = nullptr;
    float* inv_std_out = nullptr;
    if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
      mean_out = ctx.allocate_output(1, DType::Float32, stat_shape).mutable_data<float>();
    }
    if (ctx.output_count() > 2 && ctx.output_wanted(2)) {
      inv_std_out = ctx.allocate_output(2, DType::Float32, stat_shape).mutable_data<float>();
    }
    Tensor* sum_out = nullptr;
    if (ctx.output_count() > 3 && ctx.output_wanted(3)) {
      sum_out = &ctx.allocate_output(3, input_in.dtype(), input_in.shape());
    }

    const float* x = input.data<float>();
    const float* sk = skip.data<float>();
    const float* g = gamma.data<float>();
    const float* b = beta.defined() ? beta.data<float>() : nullptr;
    const float* bi = bias.defined() ? bias.data<float>() : nullptr;
    const float n = static_cast<float>(hidden);
    // One row buffer per chunk of rows, not per row: this runs in every layer.
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows), [&](const tbb::blocked_range<int64_t>& range) {
      std::vector<float> s(hidden);
      for (int64_t r = range.begin(); r < range.end(); ++r) {
        const int64_t offset = r * hidden;
        const float* xr = x + offset;
        const float* sr = sk + offset % skip_size;
        float mean = 0.f, mean_square = 0.f;
        for (int64_t h = 0; h < hidden; ++h) {
          float v = xr[h] + sr[h];
          if (bi) v += bi[h];
          s[h] = v;
          mean += v;
          mean_square += v * v;
        }
        if (sum_out) store_floats(s.data(), hidden, *sum_out, offset);
        mean = mean / n;
        const float root = kSimplified ? std::sqrt(mean_square / n + epsilon_)
                                       : std::sqrt(mean_square / n - mean * mean + epsilon_);
        for (int64_t h = 0; h < hidden; ++h) {
          if (kSimplified) {
            s[h] = s[h] / root * g[h];
          } else if (b) {
            s[h] = (s[h] - mean) / root * g[h] + b[h];
          } else {
            s[h] = (s[h] - mean) / root * g[h];
          }
        }
        store_floats(s.data(), hidden, output, offset);
        if (mean_out) mean_out[r] = kSimplified ? 0.f : mean;
        if (inv_std_out) inv_std_out[r] = 1.f / root;
      }
    });
  }

 private:
  float epsilon_;
};

using SkipLayerNormalization = SkipLayerNorm<false>;
using SkipSimplifiedLayerNormalization = SkipLayerNorm<true>;

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "SkipLayerNormalization", 1, kLatestOpset, SkipLayerNormalization);
EVALQ_REGISTER_KERNEL("com.microsoft", "SkipSimplifiedLayerNormalization", 1, kLatestOpset,
                      SkipSimplifiedLayerNormalization);

}  // namespace evalq
