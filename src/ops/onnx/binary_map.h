#pragma once

// Elementwise maps over broadcast operands, shared by the arithmetic, comparison, logical and
// Where kernels. Inner loops are specialized for the contiguous/scalar cases that dominate.
#include <evalq/tensor.h>

#include "ops/broadcast.h"

namespace evalq {

template <typename TA, typename TB, typename TO, typename F>
void binary_map(const Tensor& a, const Tensor& b, Tensor& out, F f) {
  auto plan = plan_broadcast<2>(out.shape(), {&a.shape(), &b.shape()});
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  TO* po = out.mutable_data<TO>();
  for_each_broadcast_row(plan, [&](int64_t o, const std::array<int64_t, 2>& off,
                                   const std::array<int64_t, 2>& step, int64_t n) {
    TO* dst = po + o;
    const TA* x = pa + off[0];
    const TB* y = pb + off[1];
    if (step[0] == 1 && step[1] == 1) {
      for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i], y[i]);
    } else if (step[0] == 1 && step[1] == 0) {
      const TB c = *y;
      for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i], c);
    } else if (step[0] == 0 && step[1] == 1) {
      const TA c = *x;
      for (int64_t i = 0; i < n; ++i) dst[i] = f(c, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i * step[0]], y[i * step[1]]);
    }
  });
}

}  // namespace evalq
