// Reduce{Sum,Mean,Max,Min,Prod,SumSquare,L1,L2,LogSumExp}. Axes come from the attribute before
// opset 18 (13 for ReduceSum) and from input 1 after; floating sums accumulate in double.
#include <tbb/parallel_for.h>

#include <cmath>
#include <limits>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"

namespace evalq {
namespace {

enum class Reduction { Sum, Mean, Max, Min, Prod, SumSquare, L1, L2, LogSumExp };

template <Reduction R>
class ReduceKernel : public OpKernel {
 public:
  explicit ReduceKernel(const KernelInfo& info)
      : keepdims_(info.get_int("keepdims", 1) != 0), noop_empty_(info.get_int("noop_with_empty_axes", 0) != 0) {
    if (info.has_attribute("axes")) axes_attr_ = info.get_ints("axes");
  }

  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in0 = ctx.required_input(0);
    Tensor in = widen_half(in0);
    int64_t r = static_cast<int64_t>(in.rank());
    std::vector<int64_t> axes;
    if (axes_attr_) axes = *axes_attr_;
    else if (const Tensor* a = ctx.input(1)) axes = int64_values(*a, node, "axes");
    std::vector<bool> reduced(r, false);
    if (axes.empty()) {
      if (noop_empty_) {
        ctx.set_output(0, in0);
        return;
      }
      reduced.assign(r, true);
    }
    for (int64_t a : axes) reduced[normalize_axis(a, r, node)] = true;

    Shape out_shape, kept_shape, red_shape;
    std::vector<int64_t> kept_strides, red_strides;
    auto strides = contiguous_strides(in.shape());
    for (int64_t d = 0; d < r; ++d) {
      if (reduced[d]) {
        if (keepdims_) out_shape.push_back(1);
        red_shape.push_back(in.shape()[d]);
        red_strides.push_back(strides[d]);
      } else {
        out_shape.push_back(in.shape()[d]);
        kept_shape.push_back(in.shape()[d]);
        kept_strides.push_back(strides[d]);
      }
    }
    const int64_t n_out = shape_numel(kept_shape);
    const int64_t n_red = shape_numel(red_shape);
    DType out_type = in0.dtype();
    Tensor result = is_half(out_type) ? Tensor::empty(DType::Float32, out_shape) : ctx.allocate_output(0, out_type, out_shape);
    // Reduced dims that are the trailing contiguous block read one contiguous run per output.
    const int64_t m = static_cast<int64_t>(red_shape.size());
    bool trailing = true;
    for (int64_t d = 0; d < r; ++d) trailing = trailing && reduced[d] == (d >= r - m);

    dispatch_numeric(in.dtype(), node, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        throw Error(node.describe() + ": reductions of bool tensors are not defined");
      } else {
        using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
        const T* src = in.data<T>();
        T* dst = result.mutable_data<T>();
        if (n_red == 0 && (R == Reduction::Max || R == Reduction::Min)) {
          throw Error(node.describe() + ": cannot take the max/min of an empty set");
        }
        auto reduce_one = [&](int64_t o) {
          int64_t base = 0, rem = o;
          for (size_t d = kept_shape.size(); d-- > 0;) {
            base += (rem % kept_shape[d]) * kept_strides[d];
            rem /= kept_shape[d];
          }
          Acc acc = R == Reduction::Prod ? Acc(1)
                    : R == Reduction::Max ? static_cast<Acc>(std::numeric_limits<T>::lowest())
                    : R == Reduction::Min ? static_cast<Acc>(std::numeric_limits<T>::max())
                                          : Acc(0);
          Acc max_for_lse = 0;
          if constexpr (R == Reduction::LogSumExp) {
            max_for_lse = -std::numeric_limits<Acc>::infinity();
          }
          auto offset_of = [&](int64_t j) {
            if (trailing) return base + j;
            int64_t off = base, rr = j;
            for (size_t d = red_shape.size(); d-- > 0;) {
              off += (rr % red_shape[d]) * red_strides[d];
              rr /= red_shape[d];
            }
            return off;
          };
          if constexpr (R == Reduction::LogSumExp) {
            for (int64_t j = 0; j < n_red; ++j) max_for_lse = std::max<Acc>(max_for_lse, src[offset_of(j)]);
          }
          for (int64_t j = 0; j < n_red; ++j) {
            Acc v = static_cast<Acc>(src[offset_of(j)]);
            if constexpr (R == Reduction::Sum || R == Reduction::Mean) acc += v;
            else if constexpr (R == Reduction::Max) acc = std::max(acc, v);
            else if constexpr (R == Reduction::Min) acc = std::min(acc, v);
            else if constexpr (R == Reduction::Prod) acc *= v;
            else if constexpr (R == Reduction::SumSquare || R == Reduction::L2) acc += v * v;
            else if constexpr (R == Reduction::L1) acc += v < 0 ? -v : v;
            else acc += std::exp(static_cast<double>(v - max_for_lse));
          }
          if constexpr (R == Reduction::Mean) acc = n_red ? static_cast<Acc>(acc / static_cast<Acc>(n_red)) : acc;
          if constexpr (R == Reduction::L2) acc = static_cast<Acc>(std::sqrt(static_cast<double>(acc)));
          if constexpr (R == Reduction::LogSumExp) acc = static_cast<Acc>(std::log(static_cast<double>(acc)) + max_for_lse);
          dst[o] = static_cast<T>(acc);
        };
        if (n_out * n_red >= (1 << 16) && n_out > 1) {
          tbb::parallel_for(tbb::blocked_range<int64_t>(0, n_out), [&](const tbb::blocked_range<int64_t>& rg) {
            for (int64_t o = rg.begin(); o < rg.end(); ++o) reduce_one(o);
          });
        } else {
          for (int64_t o = 0; o < n_out; ++o) reduce_one(o);
        }
      }
    });
    if (is_half(out_type)) {
      set_narrowed_output(ctx, 0, result, out_type);
    }
  }

 private:
  bool keepdims_, noop_empty_;
  std::optional<std::vector<int64_t>> axes_attr_;
};

using ReduceSumKernel = ReduceKernel<Reduction::Sum>;
using ReduceMeanKernel = ReduceKernel<Reduction::Mean>;
using ReduceMaxKernel = ReduceKernel<Reduction::Max>;
using ReduceMinKernel = ReduceKernel<Reduction::Min>;
using ReduceProdKernel = ReduceKernel<Reduction::Prod>;
using ReduceSumSquareKernel = ReduceKernel<Reduction::SumSquare>;
using ReduceL1Kernel = ReduceKernel<Reduction::L1>;
using ReduceL2Kernel = ReduceKernel<Reduction::L2>;
using ReduceLogSumExpKernel = ReduceKernel<Reduction::LogSumExp>;

}  // namespace

EVALQ_REGISTER_KERNEL("", "ReduceSum", 1, kLatestOpset, ReduceSumKernel);
EVALQ_REGISTER_KERNEL("", "ReduceMean", 1, kLatestOpset, ReduceMeanKernel);
EVALQ_REGISTER_KERNEL("", "ReduceMax", 1, kLatestOpset, ReduceMaxKernel);
EVALQ_REGISTER_KERNEL("", "ReduceMin", 1, kLatestOpset, ReduceMinKernel);
EVALQ_REGISTER_KERNEL("", "ReduceProd", 1, kLatestOpset, ReduceProdKernel);
EVALQ_REGISTER_KERNEL("", "ReduceSumSquare", 1, kLatestOpset, ReduceSumSquareKernel);
EVALQ_REGISTER_KERNEL("", "ReduceL1", 1, kLatestOpset, ReduceL1Kernel);
EVALQ_REGISTER_KERNEL("", "ReduceL2", 1, kLatestOpset, ReduceL2Kernel);
EVALQ_REGISTER_KERNEL("", "ReduceLogSumExp", 1, kLatestOpset, ReduceLogSumExpKernel);

}  // namespace evalq
