// Gather and GatherElements: index lookups along one axis (negative indices count from the end).
#include <tbb/parallel_for.h>

#include <cstring>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"

namespace evalq {
namespace {

int64_t checked_index(int64_t i, int64_t dim, const Node& node) {
  if (i < -dim || i >= dim) {
    throw Error(node.describe() + ": index " + std::to_string(i) + " is out of range for a dimension of size " +
                std::to_string(dim));
  }
  return i < 0 ? i + dim : i;
}

class GatherKernel : public OpKernel {
 public:
  explicit GatherKernel(const KernelInfo& info) : axis_(info.get_int("axis", 0)) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& data = ctx.required_input(0);
    const Tensor& idx_t = ctx.required_input(1);
    int64_t r = static_cast<int64_t>(data.rank());
    int64_t axis = normalize_axis(axis_, r, node);
    std::vector<int64_t> idx = int64_values(idx_t, node, "indices");
    int64_t dim = data.shape()[axis];
    for (auto& i : idx) i = checked_index(i, dim, node);
    Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
    out_shape.insert(out_shape.end(), idx_t.shape().begin(), idx_t.shape().end());
    out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= data.shape()[d];
    for (int64_t d = axis + 1; d < r; ++d) inner *= data.shape()[d];
    size_t es = element_bytes(data.dtype(), node);
    Tensor& out = ctx.allocate_output(0, data.dtype(), out_shape);
    const auto* src = static_cast<const uint8_t*>(data.raw());
    auto* dst = static_cast<uint8_t*>(out.mutable_raw());
    const size_t block = static_cast<size_t>(inner) * es;
    const int64_t n = static_cast<int64_t>(idx.size());
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, outer * n, std::max<int64_t>(1, 4096 / std::max<size_t>(block, 1))),
                      [&](const tbb::blocked_range<int64_t>& range) {
                        for (int64_t k = range.begin(); k < range.end(); ++k) {
                          int64_t o = k / n, j = k % n;
                          std::memcpy(dst + k * block, src + (o * dim + idx[j]) * block, block);
                        }
                      });
  }

 private:
  int64_t axis_;
};

class GatherElementsKernel : public OpKernel {
 public:
  explicit GatherElementsKernel(const KernelInfo& info) : axis_(info.get_int("axis", 0)) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& data = ctx.required_input(0);
    const Tensor& idx_t = ctx.required_input(1);
    int64_t r = static_cast<int64_t>(data.rank());
    if (static_cast<int64_t>(idx_t.rank()) != r) throw Error(node.describe() + ": indices must have the data's rank");
    int64_t axis = normalize_axis(axis_, r, node);
    std::vector<int64_t> idx = int64_values(idx_t, node, "indices");
    size_t es = element_bytes(data.dtype(), node);
    Tensor& out = ctx.allocate_output(0, data.dtype(), idx_t.shape());
    auto in_strides = contiguous_strides(data.shape());
    const Shape& is = idx_t.shape();
    const auto* src = static_cast<const uint8_t*>(data.raw());
    auto* dst = static_cast<uint8_t*>(out.mutable_raw());
    for (int64_t k = 0; k < static_cast<int64_t>(idx.size()); ++k) {
      int64_t rem = k, offset = 0;
      for (int64_t d = r - 1; d >= 0; --d) {
        int64_t c = rem % is[d];
        rem /= is[d];
        if (d == axis) c = checked_index(idx[k], data.shape()[d], node);
        else if (c >= data.shape()[d]) throw Error(node.describe() + ": indices shape exceeds data shape");
        offset += c * in_strides[d];
      }
      std::memcpy(dst + k * es, src + offset * es, es);
    }
  }

 private:
  int64_t axis_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Gather", 1, kLatestOpset, GatherKernel);
EVALQ_REGISTER_KERNEL("", "GatherElements", 11, kLatestOpset, GatherElementsKernel);

}  // namespace evalq
