// MatMul (NumPy semantics: 1-D promotion, broadcast batch dims) and Gemm, through ops/gemm.h
// (evalq's GEMM kernel or OpenBLAS sgemm, split over TBB tasks). A batched MatMul whose B has no
// batch dims becomes one [batch*M, K] x [K, N] product, with a half B (fp16 weights) read as
// stored; otherwise each batch is one sgemm on the operands in place (no per-head copies), the
// batches side by side when there are enough of them.
#include <evalq/threads.h>
#include <tbb/parallel_for.h>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/dispatch.h"
#include "ops/gemm.h"

namespace evalq {
namespace {

class MatMulKernel : public OpKernel {
 public:
  explicit MatMulKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& a0 = ctx.required_input(0);
    const Tensor& b = ctx.required_input(1);
    Tensor a = widen_half(a0);
    if (a.dtype() != DType::Float32 || (b.dtype() != DType::Float32 && !is_half(b.dtype()))) {
      throw Error(node.describe() + ": MatMul needs floating inputs, got " + dtype_name(a0.dtype()) + " and " +
                  dtype_name(b.dtype()));
    }
    if (a.rank() == 0 || b.rank() == 0) throw Error(node.describe() + ": MatMul inputs must have rank >= 1");
    Shape as = a.shape(), bs = b.shape();
    bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
    if (a_vec) as.insert(as.begin(), 1);
    if (b_vec) bs.push_back(1);
    int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
    if (bs[bs.size() - 2] != K) {
      throw Error(node.describe() + ": inner dimensions differ: " + shape_string(a.shape()) + " x " + shape_string(b.shape()));
    }
    Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
    Shape batch = broadcast_shapes({a_batch, b_batch}, node);
    Shape out_shape = batch;
    if (!a_vec) out_shape.push_back(M);
    if (!b_vec) out_shape.push_back(N);
    const bool half_out = is_half(a0.dtype());
    Tensor out = half_out ? Tensor::empty(DType::Float32, out_shape) : ctx.allocate_output(0, DType::Float32, out_shape);
    float* c = out.mutable_data<float>();
    const float* pa = a.data<float>();
    int64_t batches = shape_numel(batch);
    if (M * N == 0 || batches == 0) {
    } else if (K == 0) {
      std::fill(c, c + out.numel(), 0.0f);
    } else if (shape_numel(b_batch) == 1 && shape_numel(a_batch) == batches) {
      SgemmArgs product{.M = batches * M, .N = N, .K = K, .a = pa, .lda = K, .ldb = N, .c = c, .ldc = N};
      if (is_half(b.dtype())) {
        product.b_half = b.data<uint16_t>();
        product.b_half_type = b.dtype();
      } else {
        product.b = b.data<float>();
      }
      parallel_sgemm(product);
    } else {
      const Tensor wide_b = widen_half(b);
      const float* pb = wide_b.data<float>();
      auto sa = broadcast_strides(a_batch, batch), sb = broadcast_strides(b_batch, batch);
      auto product = [&](int64_t i) {
        int64_t oa = 0, ob = 0, rem = i;
        for (size_t d = batch.size(); d-- > 0;) {
          int64_t idx = rem % batch[d];
          rem /= batch[d];
          oa += idx * sa[d];
          ob += idx * sb[d];
        }
        return SgemmArgs{.M = M, .N = N, .K = K, .a = pa + oa * M * K, .lda = K, .b = pb + ob * K * N, .ldb = N,
                         .c = c + i * M * N, .ldc = N};
      };
      if (batches >= 2 * num_threads()) {
        // Attention's per-head products: whole heads per task balance well and need no split.
        SerialBlas serial;
        tbb::parallel_for(int64_t{0}, batches, [&](int64_t i) { sgemm(product(i)); });
      } else {
        for (int64_t i = 0; i < batches; ++i) parallel_sgemm(product(i));
      }
    }
    if (half_out) {
      set_narrowed_output(ctx, 0, out, a0.dtype());
    }
  }
};

class GemmKernel : public OpKernel {
 public:
  explicit GemmKernel(const KernelInfo& info)
      : alpha_(info.get_float("alpha", 1.0f)), beta_(info.get_float("beta", 1.0f)),
        trans_a_(info.get_int("transA", 0) != 0), trans_b_(info.get_int("transB", 0) != 0) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& a0 = ctx.required_input(0);
    Tensor a = widen_half(a0), b = widen_half(ctx.required_input(1));
    if (a.rank() != 2 || b.rank() != 2) throw Error(node.describe() + ": A and B must be 2-D");
    if (a.dtype() != DType::Float32 || b.dtype() != DType::Float32) throw Error(node.describe() + ": Gemm needs floating inputs");
    int64_t M = trans_a_ ? a.shape()[1] : a.shape()[0];
    int64_t K = trans_a_ ? a.shape()[0] : a.shape()[1];
    int64_t Kb = trans_b_ ? b.shape()[1] : b.shape()[0];
    int64_t N = trans_b_ ? b.shape()[0] : b.shape()[1];
    if (K != Kb) throw Error(node.describe() + ": inner dimensions differ: " + shape_string(a.shape()) + " x " + shape_string(b.shape()));
    Shape out_shape{M, N};
    const bool half_out = is_half(a0.dtype());
    Tensor out = half_out ? Tensor::empty(DType::Float32, out_shape) : ctx.allocate_output(0, DType::Float32, out_shape);
    float* y = out.mutable_data<float>();
    float beta = 0.0f;
    if (const Tensor* c0 = ctx.input(2); c0 && beta_ != 0.0f) {
      Tensor c = widen_half(*c0);
      Shape bc = broadcast_shapes({c.shape(), out_shape}, node);
      if (bc != out_shape) throw Error(node.describe() + ": C of shape " + shape_string(c.shape()) + " does not broadcast to " + shape_string(out_shape));
      auto st = broadcast_strides(c.shape(), out_shape);
      const float* pc = c.data<float>();
      for (int64_t i = 0; i < M; ++i) {
        for (int64_t j = 0; j < N; ++j) y[i * N + j] = pc[i * st[0] + j * st[1]];
      }
      beta = beta_;
    }
    parallel_sgemm({.trans_a = trans_a_, .trans_b = trans_b_, .M = M, .N = N, .K = K, .alpha = alpha_,
                    .a = a.data<float>(), .lda = a.shape()[1], .b = b.data<float>(), .ldb = b.shape()[1], .beta = beta,
                    .c = y, .ldc = N});
    if (half_out) {
      set_narrowed_output(ctx, 0, out, a0.dtype());
    }
  }

 private:
  float alpha_, beta_;
  bool trans_a_, trans_b_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "MatMul", 1, kLatestOpset, MatMulKernel);
EVALQ_REGISTER_KERNEL("", "Gemm", 7, kLatestOpset, GemmKernel);

}  // namespace evalq
