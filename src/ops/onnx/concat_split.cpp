// Concat and Split: block copies along one axis, for any element type.
#include <cstring>
#include <numeric>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"

namespace evalq {
namespace {

class ConcatKernel : public OpKernel {
 public:
  explicit ConcatKernel(const KernelInfo& info) : axis_(info.get_int("axis")) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    std::vector<const Tensor*> ins;
    for (size_t i = 0; i < ctx.input_count(); ++i) {
      if (ctx.input(i)) ins.push_back(ctx.input(i));
    }
    if (ins.empty()) throw Error(node.describe() + ": needs at least one input");
    const Tensor& first = *ins[0];
    int64_t r = static_cast<int64_t>(first.rank());
    int64_t axis = normalize_axis(axis_, r, node);
    Shape out_shape = first.shape();
    out_shape[axis] = 0;
    for (const Tensor* t : ins) {
      if (t->dtype() != first.dtype() || static_cast<int64_t>(t->rank()) != r) {
        throw Error(node.describe() + ": inputs must share element type and rank");
      }
      for (int64_t d = 0; d < r; ++d) {
        if (d != axis && t->shape()[d] != first.shape()[d]) {
          throw Error(node.describe() + ": input shapes " + shape_string(first.shape()) + " and " +
                      shape_string(t->shape()) + " differ outside axis " + std::to_string(axis));
        }
      }
      out_shape[axis] += t->shape()[axis];
    }
    size_t es = element_bytes(first.dtype(), node);
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= out_shape[d];
    int64_t inner = 1;
    for (int64_t d = axis + 1; d < r; ++d) inner *= out_shape[d];
    Tensor& out = ctx.allocate_output(0, first.dtype(), out_shape);
    auto* dst = static_cast<uint8_t*>(out.mutable_raw());
    const size_t out_row = static_cast<size_t>(out_shape[axis] * inner) * es;
    size_t col = 0;
    for (const Tensor* t : ins) {
      const size_t row = static_cast<size_t>(t->shape()[axis] * inner) * es;
      const auto* src = static_cast<const uint8_t*>(t->raw());
      for (int64_t o = 0; o < outer && row; ++o) std::memcpy(dst + o * out_row + col, src + o * row, row);
      col += row;
    }
  }

 private:
  int64_t axis_;
};

class SplitKernel : public OpKernel {
 public:
  explicit SplitKernel(const KernelInfo& info) : axis_(info.get_int("axis", 0)) {
    if (info.has_attribute("split")) split_attr_ = info.get_ints("split");
    if (info.has_attribute("num_outputs")) num_outputs_ = info.get_int("num_outputs");
  }
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in = ctx.required_input(0);
    int64_t r = static_cast<int64_t>(in.rank());
    int64_t axis = normalize_axis(axis_, r, node);
    int64_t dim = in.shape()[axis];
    size_t n_out = ctx.output_count();
    std::vector<int64_t> sizes;
    if (split_attr_) {
      sizes = *split_attr_;
    } else if (const Tensor* s = ctx.input(1)) {
      sizes = int64_values(*s, node, "split");
    } else {
      // Equal parts; with num_outputs (opset 18) the last part may be smaller.
      int64_t parts = num_outputs_ ? *num_outputs_ : static_cast<int64_t>(n_out);
      int64_t each = num_outputs_ ? (dim + parts - 1) / parts : dim / parts;
      if (!num_outputs_ && dim % parts != 0) {
        throw Error(node.describe() + ": dimension " + std::to_string(dim) + " does not split into " +
                    std::to_string(parts) + " equal parts");
      }
      for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::min(each, std::max<int64_t>(0, dim - i * each)));
    }
    if (sizes.size() != n_out || std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != dim) {
      throw Error(node.describe() + ": split sizes do not add up to dimension " + std::to_string(dim) + " over " +
                  std::to_string(n_out) + " outputs");
    }
    size_t es = element_bytes(in.dtype(), node);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= in.shape()[d];
    for (int64_t d = axis + 1; d < r; ++d) inner *= in.shape()[d];
    const auto* src = static_cast<const uint8_t*>(in.raw());
    const size_t in_row = static_cast<size_t>(dim * inner) * es;
    size_t col = 0;
    for (size_t k = 0; k < n_out; ++k) {
      const size_t row = static_cast<size_t>(sizes[k] * inner) * es;
      if (ctx.output_wanted(k)) {
        Shape s = in.shape();
        s[axis] = sizes[k];
        Tensor& out = ctx.allocate_output(k, in.dtype(), s);
        auto* dst = static_cast<uint8_t*>(out.mutable_raw());
        for (int64_t o = 0; o < outer && row; ++o) std::memcpy(dst + o * row, src + o * in_row + col, row);
      }
      col += row;
    }
  }

 private:
  int64_t axis_;
  std::optional<std::vector<int64_t>> split_attr_;
  std::optional<int64_t> num_outputs_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Concat", 4, kLatestOpset, ConcatKernel);
EVALQ_REGISTER_KERNEL("", "Split", 2, kLatestOpset, SplitKernel);

}  // namespace evalq
