// Min, Max, Sum, Mean over any number of broadcast inputs, and Where.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "exec/kernel.h"
#include "ops/dispatch.h"
#include "ops/onnx/binary_map.h"

namespace evalq {
namespace {

enum class Fold { Min, Max, Sum, Mean };

template <Fold F>
class VariadicKernel : public OpKernel {
 public:
  explicit VariadicKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    std::vector<Tensor> ins;
    std::vector<Shape> shapes;
    for (size_t i = 0; i < ctx.input_count(); ++i) {
      if (!ctx.input(i)) continue;
      ins.push_back(widen_half(*ctx.input(i)));
      shapes.push_back(ins.back().shape());
      if (ins.back().dtype() != ins.front().dtype()) throw Error(node.describe() + ": inputs have different element types");
    }
    if (ins.empty()) throw Error(node.describe() + ": needs at least one input");
    DType out_type = ctx.required_input(0).dtype();
    Shape shape = broadcast_shapes(shapes, node);
    Tensor acc = Tensor::empty(ins[0].dtype(), shape);
    dispatch_numeric(ins[0].dtype(), node, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        throw Error(node.describe() + ": bool inputs are not supported");
      } else {
        binary_map<T, T, T>(ins[0], ins[0], acc, [](T a, T) { return a; });
        for (size_t k = 1; k < ins.size(); ++k) {
          binary_map<T, T, T>(acc, ins[k], acc, [](T a, T b) -> T {
            if constexpr (F == Fold::Min) {
              if constexpr (std::is_floating_point_v<T>) {
                if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
              }
              return std::min(a, b);
            } else if constexpr (F == Fold::Max) {
              if constexpr (std::is_floating_point_v<T>) {
                if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
              }
              return std::max(a, b);
            } else {
              return static_cast<T>(a + b);
            }
          });
        }
        if constexpr (F == Fold::Mean) {
          T* p = acc.mutable_data<T>();
          for (int64_t i = 0; i < acc.numel(); ++i) p[i] = static_cast<T>(p[i] / static_cast<T>(ins.size()));
        }
      }
    });
    if (is_half(out_type)) {
      set_narrowed_output(ctx, 0, acc, out_type);
    } else {
      ctx.set_output(0, acc);
    }
  }
};

// Where(cond, x, y): moves raw elements, so every element type works.
class WhereKernel : public OpKernel {
 public:
  explicit WhereKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& c = ctx.required_input(0);
    const Tensor& x = ctx.required_input(1);
    const Tensor& y = ctx.required_input(2);
    if (c.dtype() != DType::Bool) throw Error(node.describe() + ": condition must be bool");
    if (x.dtype() != y.dtype()) throw Error(node.describe() + ": X and Y have different element types");
    Shape shape = broadcast_shapes({c.shape(), x.shape(), y.shape()}, node);
    Tensor& out = ctx.allocate_output(0, x.dtype(), shape);
    auto plan = plan_broadcast<3>(shape, {&c.shape(), &x.shape(), &y.shape()});
    size_t es = element_bytes(x.dtype(), node);
    auto run = [&]<typename T>() {
      const bool* pc = c.data<bool>();
      const T* px = static_cast<const T*>(x.raw());
      const T* py = static_cast<const T*>(y.raw());
      T* po = static_cast<T*>(out.mutable_raw());
      for_each_broadcast_row(plan, [&](int64_t o, const std::array<int64_t, 3>& off,
                                       const std::array<int64_t, 3>& st, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          po[o + i] = pc[off[0] + i * st[0]] ? px[off[1] + i * st[1]] : py[off[2] + i * st[2]];
        }
      });
    };
    switch (es) {
      case 1: run.template operator()<uint8_t>(); break;
      case 2: run.template operator()<uint16_t>(); break;
      case 4: run.template operator()<uint32_t>(); break;
      case 8: run.template operator()<uint64_t>(); break;
      default: throw Error(node.describe() + ": unsupported element size");
    }
  }
};

using MinKernel = VariadicKernel<Fold::Min>;
using MaxKernel = VariadicKernel<Fold::Max>;
using SumKernel = VariadicKernel<Fold::Sum>;
using MeanKernel = VariadicKernel<Fold::Mean>;

}  // namespace

EVALQ_REGISTER_KERNEL("", "Min", 8, kLatestOpset, MinKernel);
EVALQ_REGISTER_KERNEL("", "Max", 8, kLatestOpset, MaxKernel);
EVALQ_REGISTER_KERNEL("", "Sum", 8, kLatestOpset, SumKernel);
EVALQ_REGISTER_KERNEL("", "Mean", 8, kLatestOpset, MeanKernel);
EVALQ_REGISTER_KERNEL("", "Where", 9, kLatestOpset, WhereKernel);

}  // namespace evalq
