// SimplifiedLayerNormalization (RMSNorm): ONNX Runtime's internal op, registered in the ai.onnx
// domain. y = x / sqrt(mean(x^2) + epsilon) * scale over the dims from `axis` on, in fp32 with
// ORT's operation order (divide by the root, then multiply by scale).
#include <tbb/parallel_for.h>

#include <cmath>
#include <vector>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/contrib/float_io.h"

namespace evalq {
namespace {

class SimplifiedLayerNormalization final : public OpKernel {
 public:
  explicit SimplifiedLayerNormalization(const KernelInfo& info)
      : axis_(info.get_int("axis", -1)), epsilon_(info.get_float("epsilon", 1e-5f)) {
    int64_t stash_type = info.get_int("stash_type", 1);
    if (stash_type != 1) info.fail("stash_type " + std::to_string(stash_type) + " is not supported (only 1, float)");
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x_in = ctx.required_input(0);
    const Tensor& scale_in = ctx.required_input(1);
    int64_t axis = normalize_axis(axis_, static_cast<int64_t>(x_in.rank()), ctx.node());
    int64_t rows = 1, width = 1;
    for (int64_t d = 0; d < static_cast<int64_t>(x_in.rank()); ++d) (d < axis ? rows : width) *= x_in.shape()[d];
    if (scale_in.numel() != width) {
      throw Error(ctx.node().describe() + ": scale has " + std::to_string(scale_in.numel()) +
                  " elements, expected " + std::to_string(width) + " (the normalized dims of input " +
                  shape_string(x_in.shape()) + ")");
    }
    Tensor x = float_input(ctx, x_in, "input");
    Tensor scale = float_input(ctx, scale_in, "scale");
    Tensor& y = ctx.allocate_output(0, x_in.dtype(), x_in.shape());
    float* inv_std = nullptr;
    if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
      Shape stat_shape = x_in.shape();
      for (size_t d = axis; d < stat_shape.size(); ++d) stat_shape[d] = 1;
      inv_std = ctx.allocate_output(1, DType::Float32, stat_shape).mutable_data<float>();
    }
    const float* xs = x.data<float>();
    const float* gamma = scale.data<float>();
    // One row buffer per chunk of rows, not per row: this runs in every layer.
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows), [&](const tbb::blocked_range<int64_t>& range) {
      std::vector<float> out(width);
      for (int64_t r = range.begin(); r < range.end(); ++r) {
        const float* row = xs + r * width;
        float sum_squares = 0.f;
        for (int64_t h = 0; h < width; ++h) sum_squares += row[h] * row[h];
        float root = std::sqrt(sum_squares / static_cast<float>(width) + epsilon_);
        for (int64_t h = 0; h < width; ++h) out[h] = row[h] / root * gamma[h];
        store_floats(out.data(), width, y, r * width);
        if (inv_std) inv_std[r] = 1.f / root;
      }
    });
  }

 private:
  int64_t axis_;
  float epsilon_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "SimplifiedLayerNormalization", 1, kLatestOpset, SimplifiedLayerNormalization);

}  // namespace evalq
