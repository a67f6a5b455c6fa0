// ScatterND (with reductions) and CumSum.
#include <cstring>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"

namespace evalq {
namespace {

class ScatterNDKernel : public OpKernel {
 public:
  explicit ScatterNDKernel(const KernelInfo& info) : reduction_(info.get_string("reduction", "none")) {
    if (reduction_ != "none" && reduction_ != "add" && reduction_ != "mul" && reduction_ != "max" && reduction_ != "min") {
      info.fail("unknown reduction '" + reduction_ + "'");
    }
  }
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& data0 = ctx.required_input(0);
    const Tensor& idx_t = ctx.required_input(1);
    const Tensor& upd0 = ctx.required_input(2);
    Tensor data = widen_half(data0), upd = widen_half(upd0);
    auto idx = int64_values(idx_t, node, "indices");
    if (idx_t.rank() < 1) throw Error(node.describe() + ": indices must have rank >= 1");
    int64_t k = idx_t.shape().back();
    int64_t r = static_cast<int64_t>(data.rank());
    if (k > r) throw Error(node.describe() + ": index depth exceeds the data rank");
    int64_t slice = 1;
    for (int64_t d = k; d < r; ++d) slice *= data.shape()[d];
    int64_t n = k ? static_cast<int64_t>(idx.size()) / k : 0;
    if (upd.numel() != n * slice) throw Error(node.describe() + ": updates shape does not match indices and data");
    auto strides = contiguous_strides(data.shape());
    Tensor result = data.clone();
    dispatch_numeric(data.dtype(), node, [&]<typename T>() {
      T* out = result.mutable_data<T>();
      const T* u = upd.data<T>();
      for (int64_t i = 0; i < n; ++i) {
        int64_t offset = 0;
        for (int64_t j = 0; j < k; ++j) {
          int64_t v = idx[i * k + j], dim = data.shape()[j];
          if (v < -dim || v >= dim) throw Error(node.describe() + ": index " + std::to_string(v) + " out of range");
          offset += (v < 0 ? v + dim : v) * strides[j];
        }
        for (int64_t e = 0; e < slice; ++e) {
          T& dst = out[offset + e];
          T src = u[i * slice + e];
          if (reduction_ == "none") dst = src;
          else if (reduction_ == "add") dst = static_cast<T>(dst + src);
          else if (reduction_ == "mul") dst = static_cast<T>(dst * src);
          else if (reduction_ == "max") dst = std::max(dst, src);
          else dst = std::min(dst, src);
        }
      }
    });
    if (is_half(data0.dtype())) {
      set_narrowed_output(ctx, 0, result, data0.dtype());
    } else {
      ctx.set_output(0, result);
    }
  }

 private:
  std::string reduction_;
};

class CumSumKernel : public OpKernel {
 public:
  explicit CumSumKernel(const KernelInfo& info)
      : exclusive_(info.get_int("exclusive", 0) != 0), reverse_(info.get_int("reverse", 0) != 0) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& x = ctx.required_input(0);
    auto axis_v = int64_values(ctx.required_input(1), node, "axis");
    if (axis_v.size() != 1) throw Error(node.describe() + ": axis must be a scalar");
    int64_t r = static_cast<int64_t>(x.rank());
    int64_t axis = normalize_axis(axis_v[0], r, node);
    int64_t outer = 1, inner = 1, dim = x.shape()[axis];
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[d];
    for (int64_t d = axis + 1; d < r; ++d) inner *= x.shape()[d];
    Tensor& out = ctx.allocate_output(0, x.dtype(), x.shape());
    dispatch_numeric(x.dtype(), node, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        throw Error(node.describe() + ": CumSum of bool is not defined");
      } else {
        const T* in = x.data<T>();
        T* o = out.mutable_data<T>();
        for (int64_t a = 0; a < outer; ++a) {
          for (int64_t b = 0; b < inner; ++b) {
            T acc = T(0);
            for (int64_t s = 0; s < dim; ++s) {
              int64_t j = reverse_ ? dim - 1 - s : s;
              int64_t pos = (a * dim + j) * inner + b;
              if (exclusive_) {
                o[pos] = acc;
                acc = static_cast<T>(acc + in[pos]);
              } else {
                acc = static_cast<T>(acc + in[pos]);
                o[pos] = acc;
              }
            }
          }
        }
      }
    });
  }

 private:
  bool exclusive_, reverse_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "ScatterND", 11, kLatestOpset, ScatterNDKernel);
EVALQ_REGISTER_KERNEL("", "CumSum", 11, kLatestOpset, CumSumKernel);

}  // namespace evalq
