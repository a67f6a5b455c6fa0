// Softmax and LogSoftmax. From opset 13 over one axis; before, over the flattened [axis, rank).
#include <tbb/parallel_for.h>

#include <cmath>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"
#include "ops/vec_math.h"

namespace evalq {
namespace {

template <bool Log>
class SoftmaxKernel : public OpKernel {
 public:
  explicit SoftmaxKernel(const KernelInfo& info)
      : axis_(info.get_int("axis", info.opset() >= 13 ? -1 : 1)), flatten_(info.opset() < 13) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in0 = ctx.required_input(0);
    Tensor result = is_half(in0.dtype()) ? Tensor::empty(DType::Float32, in0.shape())
                                         : ctx.allocate_output_over_input(0, 0, in0.dtype(), in0.shape());
    Tensor in = widen_half(in0);
    if (in.dtype() != DType::Float32 && in.dtype() != DType::Float64) {
      throw Error(node.describe() + ": input must be floating point");
    }
    int64_t r = static_cast<int64_t>(in.rank());
    int64_t axis = normalize_axis(axis_, std::max<int64_t>(r, 1), node);
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= in.shape()[d];
    if (flatten_) {
      for (int64_t d = axis; d < r; ++d) n *= in.shape()[d];
    } else {
      n = in.shape()[axis];
      for (int64_t d = axis + 1; d < r; ++d) inner *= in.shape()[d];
    }
    dispatch_numeric(in.dtype(), node, [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T>) {
        const T* src = in.data<T>();
        T* dst = result.mutable_data<T>();
        auto one = [&](int64_t row) {
          if constexpr (!Log && std::is_same_v<T, float>) {
            if (inner == 1) {
              if (src != dst) std::copy(src + row * n, src + (row + 1) * n, dst + row * n);
              softmax_row(dst + row * n, n);
              return;
            }
          }
          int64_t o = row / inner, i = row % inner;
          const T* x = src + o * n * inner + i;
          T* y = dst + o * n * inner + i;
          T mx = -std::numeric_limits<T>::infinity();
          for (int64_t j = 0; j < n; ++j) mx = std::max(mx, x[j * inner]);
          T sum = 0;
          if constexpr (Log) {
            for (int64_t j = 0; j < n; ++j) sum += std::exp(x[j * inner] - mx);
            T lse = std::log(sum);
            for (int64_t j = 0; j < n; ++j) y[j * inner] = x[j * inner] - mx - lse;
          } else {
            for (int64_t j = 0; j < n; ++j) {
              T e = std::exp(x[j * inner] - mx);
              y[j * inner] = e;
              sum += e;
            }
            for (int64_t j = 0; j < n; ++j) y[j * inner] /= sum;
          }
        };
        int64_t rows = outer * inner;
        if (rows > 1 && rows * n >= (1 << 15)) {
          tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows), [&](const tbb::blocked_range<int64_t>& rg) {
            for (int64_t row = rg.begin(); row < rg.end(); ++row) one(row);
          });
        } else {
          for (int64_t row = 0; row < rows; ++row) one(row);
        }
      }
    });
    if (is_half(in0.dtype())) {
      set_narrowed_output(ctx, 0, result, in0.dtype());
    }
  }

 private:
  int64_t axis_;
  bool flatten_;
};

using SoftmaxF = SoftmaxKernel<false>;
using LogSoftmaxF = SoftmaxKernel<true>;

}  // namespace

EVALQ_REGISTER_KERNEL("", "Softmax", 1, kLatestOpset, SoftmaxF);
EVALQ_REGISTER_KERNEL("", "LogSoftmax", 1, kLatestOpset, LogSoftmaxF);

}  // namespace evalq
