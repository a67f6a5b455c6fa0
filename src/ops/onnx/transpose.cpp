#include <numeric>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"
#include "ops/strided_copy.h"

namespace evalq {
namespace {

class TransposeKernel : public OpKernel {
 public:
  explicit TransposeKernel(const KernelInfo& info) {
    if (info.has_attribute("perm")) perm_ = info.get_ints("perm");
  }
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in = ctx.required_input(0);
    size_t r = in.rank();
    std::vector<int64_t> perm(r);
    if (perm_) {
      perm = *perm_;
    } else {
      for (size_t i = 0; i < r; ++i) perm[i] = static_cast<int64_t>(r - 1 - i);
    }
    std::vector<bool> seen(r, false);
    if (perm.size() != r) throw Error(node.describe() + ": perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(r));
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[p]) throw Error(node.describe() + ": perm is not a permutation");
      seen[p] = true;
    }
    auto in_strides = contiguous_strides(in.shape());
    Shape out_shape(r);
    std::vector<int64_t> strides(r);
    for (size_t i = 0; i < r; ++i) {
      out_shape[i] = in.shape()[perm[i]];
      strides[i] = in_strides[perm[i]];
    }
    Tensor& out = ctx.allocate_output(0, in.dtype(), out_shape);
    strided_copy(in.raw(), out_shape, strides, out.mutable_raw(), element_bytes(in.dtype(), node));
  }

 private:
  std::optional<std::vector<int64_t>> perm_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Transpose", 1, kLatestOpset, TransposeKernel);

}  // namespace evalq
