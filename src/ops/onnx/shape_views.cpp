// Ops that only read or rename a shape: the output shares the input's storage.
// Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Identity.
#include <algorithm>
#include <set>

#include "exec/kernel.h"
#include "ops/common.h"

namespace evalq {
namespace {

class ShapeKernel : public OpKernel {
 public:
  explicit ShapeKernel(const KernelInfo& info) : start_(info.get_int("start", 0)) {
    if (info.has_attribute("end")) end_ = info.get_int("end");
  }
  void compute(KernelContext& ctx) const override {
    const Shape& s = ctx.required_input(0).shape();
    int64_t r = static_cast<int64_t>(s.size());
    auto clamp = [r](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
    int64_t b = clamp(start_), e = end_ ? clamp(*end_) : r;
    int64_t n = std::max<int64_t>(0, e - b);
    Tensor& out = ctx.allocate_output(0, DType::Int64, {n});
    std::copy(s.begin() + b, s.begin() + b + n, out.mutable_data<int64_t>());
  }

 private:
  int64_t start_;
  std::optional<int64_t> end_;
};

class SizeKernel : public OpKernel {
 public:
  explicit SizeKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    Tensor& out = ctx.allocate_output(0, DType::Int64, {});
    *out.mutable_data<int64_t>() = ctx.required_input(0).numel();
  }
};

class ReshapeKernel : public OpKernel {
 public:
  explicit ReshapeKernel(const KernelInfo& info) : allow_zero_(info.get_int("allowzero", 0) != 0) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.required_input(0);
    const Node& node = ctx.node();
    Shape shape = int64_values(ctx.required_input(1), node, "shape");
    int infer = -1;
    int64_t known = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allow_zero_) {
        if (i >= in.rank()) throw Error(node.describe() + ": shape entry 0 at position " + std::to_string(i) + " has no input dimension to copy");
        shape[i] = in.shape()[i];
      }
      if (shape[i] == -1) {
        if (infer >= 0) throw Error(node.describe() + ": shape has more than one -1");
        infer = static_cast<int>(i);
      } else if (shape[i] < 0) {
        throw Error(node.describe() + ": invalid shape entry " + std::to_string(shape[i]));
      } else {
        known *= shape[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || in.numel() % known != 0) {
        throw Error(node.describe() + ": cannot reshape " + shape_string(in.shape()) + " to " + shape_string(shape));
      }
      shape[infer] = in.numel() / known;
    }
    if (shape_numel(shape) != in.numel()) {
      throw Error(node.describe() + ": cannot reshape " + shape_string(in.shape()) + " (" + std::to_string(in.numel()) +
                  " elements) to " + shape_string(shape));
    }
    ctx.set_output(0, in.reshaped(shape));
  }

 private:
  bool allow_zero_;
};

class FlattenKernel : public OpKernel {
 public:
  explicit FlattenKernel(const KernelInfo& info) : axis_(info.get_int("axis", 1)) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.required_input(0);
    int64_t r = static_cast<int64_t>(in.rank());
    int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    if (axis < 0 || axis > r) throw Error(ctx.node().describe() + ": axis out of range");
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= in.shape()[i];
    ctx.set_output(0, in.reshaped({outer, outer ? in.numel() / outer : 0}));
  }

 private:
  int64_t axis_;
};

// Axes come from the `axes` attribute before opset 13 and from input 1 from opset 13 on.
std::optional<std::vector<int64_t>> read_axes(const KernelContext& ctx, const std::optional<std::vector<int64_t>>& attr) {
  if (attr) return attr;
  if (const Tensor* t = ctx.input(1)) return int64_values(*t, ctx.node(), "axes");
  return std::nullopt;
}

class SqueezeKernel : public OpKernel {
 public:
  explicit SqueezeKernel(const KernelInfo& info) {
    if (info.has_attribute("axes")) axes_ = info.get_ints("axes");
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.required_input(0);
    const Node& node = ctx.node();
    auto axes = read_axes(ctx, axes_);
    std::set<int64_t> drop;
    int64_t r = static_cast<int64_t>(in.rank());
    if (axes) {
      for (int64_t a : *axes) {
        int64_t ax = normalize_axis(a, r, node);
        if (in.shape()[ax] != 1) {
          throw Error(node.describe() + ": cannot squeeze axis " + std::to_string(a) + " of shape " + shape_string(in.shape()));
        }
        drop.insert(ax);
      }
    } else {
      for (int64_t i = 0; i < r; ++i) {
        if (in.shape()[i] == 1) drop.insert(i);
      }
    }
    Shape out;
    for (int64_t i = 0; i < r; ++i) {
      if (!drop.count(i)) out.push_back(in.shape()[i]);
    }
    ctx.set_output(0, in.reshaped(out));
  }

 private:
  std::optional<std::vector<int64_t>> axes_;
};

class UnsqueezeKernel : public OpKernel {
 public:
  explicit UnsqueezeKernel(const KernelInfo& info) {
    if (info.has_attribute("axes")) axes_ = info.get_ints("axes");
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.required_input(0);
    const Node& node = ctx.node();
    auto axes = read_axes(ctx, axes_);
    if (!axes) throw Error(node.describe() + ": axes are required");
    int64_t r = static_cast<int64_t>(in.rank() + axes->size());
    std::vector<bool> inserted(r, false);
    for (int64_t a : *axes) {
      int64_t ax = normalize_axis(a, r, node);
      if (inserted[ax]) throw Error(node.describe() + ": axis " + std::to_string(a) + " given twice");
      inserted[ax] = true;
    }
    Shape out;
    size_t k = 0;
    for (int64_t i = 0; i < r; ++i) out.push_back(inserted[i] ? 1 : in.shape()[k++]);
    ctx.set_output(0, in.reshaped(out));
  }

 private:
  std::optional<std::vector<int64_t>> axes_;
};

class IdentityKernel : public OpKernel {
 public:
  explicit IdentityKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override { ctx.set_output(0, ctx.required_input(0)); }
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Shape", 1, kLatestOpset, ShapeKernel);
EVALQ_REGISTER_KERNEL("", "Size", 1, kLatestOpset, SizeKernel);
EVALQ_REGISTER_KERNEL("", "Reshape", 5, kLatestOpset, ReshapeKernel);
EVALQ_REGISTER_KERNEL("", "Flatten", 1, kLatestOpset, FlattenKernel);
EVALQ_REGISTER_KERNEL("", "Squeeze", 1, kLatestOpset, SqueezeKernel);
EVALQ_REGISTER_KERNEL("", "Unsqueeze", 1, kLatestOpset, UnsqueezeKernel);
EVALQ_REGISTER_KERNEL("", "Identity", 1, kLatestOpset, IdentityKernel);

}  // namespace evalq
