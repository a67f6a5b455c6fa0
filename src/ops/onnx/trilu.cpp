#include <cstring>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"

namespace evalq {
namespace {

// Keeps the upper (or lower) triangle of the last two dims, offset by diagonal k; zeros the rest.
class TriluKernel : public OpKernel {
 public:
  explicit TriluKernel(const KernelInfo& info) : upper_(info.get_int("upper", 1) != 0) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& in = ctx.required_input(0);
    if (in.rank() < 2) throw Error(node.describe() + ": input must have rank >= 2");
    int64_t k = 0;
    if (const Tensor* kt = ctx.input(1)) {
      auto v = int64_values(*kt, node, "k");
      if (v.size() != 1) throw Error(node.describe() + ": k must be a scalar");
      k = v[0];
    }
    size_t es = element_bytes(in.dtype(), node);
    int64_t rows = in.dim(-2), cols = in.dim(-1);
    int64_t mats = rows * cols != 0 ? in.numel() / (rows * cols) : 0;
    Tensor& out = ctx.allocate_output(0, in.dtype(), in.shape());
    const auto* src = static_cast<const uint8_t*>(in.raw());
    auto* dst = static_cast<uint8_t*>(out.mutable_raw());
    for (int64_t m = 0; m < mats; ++m) {
      for (int64_t i = 0; i < rows; ++i) {
        const size_t row = static_cast<size_t>((m * rows + i) * cols) * es;
        // Kept columns: j >= i + k (upper) or j <= i + k (lower).
        int64_t lo = upper_ ? std::clamp<int64_t>(i + k, 0, cols) : 0;
        int64_t hi = upper_ ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
        std::memset(dst + row, 0, static_cast<size_t>(cols) * es);
        if (hi > lo) std::memcpy(dst + row + lo * es, src + row + lo * es, static_cast<size_t>(hi - lo) * es);
      }
    }
  }

 private:
  bool upper_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "Trilu", 14, kLatestOpset, TriluKernel);

}  // namespace evalq
