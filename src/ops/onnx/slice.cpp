// Slice (opset 10+: starts/ends/axes/steps as inputs), clamped as the ONNX spec says.
#include <algorithm>
#include <limits>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"
#include "ops/strided_copy.h"

namespace evalq {
namespace {

class SliceKernel : public OpKernel {
 public:
  explicit SliceKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in = ctx.required_input(0);
    int64_t r = static_cast<int64_t>(in.rank());
    auto starts = int64_values(ctx.required_input(1), node, "starts");
    auto ends = int64_values(ctx.required_input(2), node, "ends");
    std::vector<int64_t> axes, steps;
    if (const Tensor* a = ctx.input(3)) {
      axes = int64_values(*a, node, "axes");
    } else {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (const Tensor* s = ctx.input(4)) {
      steps = int64_values(*s, node, "steps");
    } else {
      steps.assign(starts.size(), 1);
    }
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
      throw Error(node.describe() + ": starts, ends, axes and steps must have the same length");
    }
    Shape out_shape = in.shape();
    std::vector<int64_t> begin(r, 0), step(r, 1);
    std::vector<bool> seen(r, false);
    for (size_t i = 0; i < starts.size(); ++i) {
      int64_t ax = normalize_axis(axes[i], r, node);
      if (seen[ax]) throw Error(node.describe() + ": axis " + std::to_string(axes[i]) + " repeated");
      seen[ax] = true;
      int64_t dim = in.shape()[ax], st = steps[i];
      if (st == 0) throw Error(node.describe() + ": step must not be 0");
      int64_t s = starts[i], e = ends[i];
      if (s < 0) s += dim;
      if (e < 0) e += dim;
      int64_t count;
      if (st > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        count = e > s ? (e - s + st - 1) / st : 0;
      } else {
        s = std::clamp<int64_t>(s, -1, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        count = s > e ? (s - e + (-st) - 1) / (-st) : 0;
      }
      begin[ax] = s;
      step[ax] = st;
      out_shape[ax] = count;
    }
    auto in_strides = contiguous_strides(in.shape());
    int64_t offset = 0;
    std::vector<int64_t> strides(r);
    for (int64_t d = 0; d < r; ++d) {
      if (out_shape[d] > 0) offset += begin[d] * in_strides[d];
      strides[d] = in_strides[d] * step[d];
    }
    size_t es = element_bytes(in.dtype(), node);
    Tensor& out = ctx.allocate_output(0, in.dtype(), out_shape);
    if (out.numel() == 0) return;
    strided_copy(static_cast<const uint8_t*>(in.raw()) + offset * static_cast<int64_t>(es), out_shape, strides,
                 out.mutable_raw(), es);
  }
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Slice", 10, kLatestOpset, SliceKernel);

}  // namespace evalq
