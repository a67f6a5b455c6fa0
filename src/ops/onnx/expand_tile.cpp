// Expand (broadcast to a shape) and Tile (repeat along each axis).
#include <cstring>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"
#include "ops/strided_copy.h"

namespace evalq {
namespace {

class ExpandKernel : public OpKernel {
 public:
  explicit ExpandKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in = ctx.required_input(0);
    Shape target = int64_values(ctx.required_input(1), node, "shape");
    Shape out_shape = broadcast_shapes({in.shape(), target}, node);
    Tensor& out = ctx.allocate_output(0, in.dtype(), out_shape);
    strided_copy(in.raw(), out_shape, broadcast_strides(in.shape(), out_shape), out.mutable_raw(),
                 element_bytes(in.dtype(), node));
  }
};

class TileKernel : public OpKernel {
 public:
  explicit TileKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in = ctx.required_input(0);
    auto repeats = int64_values(ctx.required_input(1), node, "repeats");
    size_t r = in.rank();
    if (repeats.size() != r) throw Error(node.describe() + ": repeats has " + std::to_string(repeats.size()) + " entries for rank " + std::to_string(r));
    Shape out_shape(r);
    for (size_t d = 0; d < r; ++d) {
      if (repeats[d] < 0) throw Error(node.describe() + ": negative repeat");
      out_shape[d] = in.shape()[d] * repeats[d];
    }
    size_t es = element_bytes(in.dtype(), node);
    Tensor& out = ctx.allocate_output(0, in.dtype(), out_shape);
    if (out.numel() == 0) return;
    // Viewed as [in dims..., repeats...] interleaved: out index (q_d * in_d + i_d) per dim, so a
    // strided copy over shape [rep_0, in_0, rep_1, in_1, ...] with stride 0 on repeat dims.
    Shape split_shape;
    std::vector<int64_t> strides;
    auto in_strides = contiguous_strides(in.shape());
    for (size_t d = 0; d < r; ++d) {
      split_shape.push_back(repeats[d]);
      strides.push_back(0);
      split_shape.push_back(in.shape()[d]);
      strides.push_back(in_strides[d]);
    }
    strided_copy(in.raw(), split_shape, strides, out.mutable_raw(), es);
  }
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Expand", 8, kLatestOpset, ExpandKernel);
EVALQ_REGISTER_KERNEL("", "Tile", 6, kLatestOpset, TileKernel);

}  // namespace evalq
