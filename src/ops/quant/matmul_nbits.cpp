// com.microsoft MatMulNBits: Y = A × dequantize(B)ᵀ + bias with B packed at 2, 4 or 8 bits per
// value in blocks along K. Weights stay packed; each run dequantizes a tile of columns at a time.
//
// accuracy_level 4 follows ONNX Runtime's CPU kernel when that kernel takes its int8 path
// (integer or implicit zero points, no g_idx; for 2 bits only block sizes 32/64/128): A is
// quantized to int8 per K-block (see quant/int8_activations.h), int8 × code dot products are
// summed per block and scaled by a_scale · b_scale, and the zero-point terms come from per-block
// sums, one sgemm as in ORT (see quant/int8_nbits_matmul.h):
//   Y[m, n] = Σ_blk a_s·b_s · dot(qa, code) + Σ_blk (a_s · Σqa) · (−b_s · zp) + bias[n].
// Everything else, as in ORT, is fp32 A × dequantized B: sgemm on tiles of columns, or direct dot
// products for a few rows.
#include <evalq/error.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "exec/kernel.h"
#include "ops/dispatch.h"
#include "ops/gemm.h"
#include "quant/fp32_column_dot.h"
#include "quant/int8_nbits_matmul.h"
#include "quant/nbits_weights.h"

namespace evalq {
namespace {

constexpr int kInputA = 0, kInputB = 1, kInputScales = 2, kInputZeroPoints = 3, kInputGIdx = 4, kInputBias = 5;

// ONNX Runtime's CPU kernel ignores packed uint8 zero points when g_idx is given (it dequantizes
// with the implicit 2^(bits-1), checked against ORT 1.32 with trivial and shuffled g_idx); float
// zero points are honoured. We reproduce that, since users see ORT's numbers.
const Tensor* zero_points_ort_uses(const Tensor* zero_points, const Tensor* g_idx) {
  if (zero_points && g_idx && zero_points->dtype() == DType::UInt8) return nullptr;
  return zero_points;
}

class MatMulNBits final : public OpKernel {
 public:
  explicit MatMulNBits(const KernelInfo& info) {
    shape_.K = info.get_int("K");
    shape_.N = info.get_int("N");
    shape_.bits = static_cast<int>(info.get_int("bits", 4));
    shape_.block_size = info.get_int("block_size");
    accuracy_level_ = info.get_int("accuracy_level", 0);
    if (shape_.K <= 0 || shape_.N <= 0) {
      info.fail("K and N must be positive, got K=" + std::to_string(shape_.K) + ", N=" + std::to_string(shape_.N));
    }
    if (shape_.bits != 2 && shape_.bits != 4 && shape_.bits != 8) {
      info.fail("bits must be 2, 4 or 8, got " + std::to_string(shape_.bits));
    }
    const int64_t bs = shape_.block_size;
    if (bs < 16 || (bs & (bs - 1)) != 0) info.fail("block_size must be a power of 2 and >= 16, got " + std::to_string(bs));
    if (accuracy_level_ < 0 || accuracy_level_ > 4) {
      info.fail("accuracy_level must be 0..4, got " + std::to_string(accuracy_level_));
    }
    const Tensor* b = info.constant_input(kInputB);
    const Tensor* scales = info.constant_input(kInputScales);
    const bool zp_ready = !info.has_input(kInputZeroPoints) || info.constant_input(kInputZeroPoints);
    const bool g_ready = !info.has_input(kInputGIdx) || info.constant_input(kInputGIdx);
    if (b && scales && zp_ready && g_ready) {
      const std::string where = "node " + info.node().describe();
      const Tensor* g_idx = info.has_input(kInputGIdx) ? info.constant_input(kInputGIdx) : nullptr;
      const Tensor* zp = info.has_input(kInputZeroPoints) ? info.constant_input(kInputZeroPoints) : nullptr;
      weights_ = std::make_shared<NBitsWeights>(shape_, *b, *scales, zero_points_ort_uses(zp, g_idx), g_idx, where);
    }
    if (const Tensor* bias = info.has_input(kInputBias) ? info.constant_input(kInputBias) : nullptr) {
      if (bias->numel() != shape_.N) info.fail("bias has " + std::to_string(bias->numel()) + " values, expected N = " + std::to_string(shape_.N));
    }
  }

  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& a_in = ctx.required_input(kInputA);
    if (a_in.rank() == 0 || a_in.dim(-1) != shape_.K) {
      throw Error(node.describe() + ": A's last dimension must be K = " + std::to_string(shape_.K) + ", got shape " +
                  shape_string(a_in.shape()));
    }
    std::shared_ptr<const NBitsWeights> weights = weights_;
    if (!weights) {
      weights = std::make_shared<NBitsWeights>(shape_, ctx.required_input(kInputB), ctx.required_input(kInputScales),
                                               zero_points_ort_uses(ctx.input(kInputZeroPoints), ctx.input(kInputGIdx)),
                                               ctx.input(kInputGIdx), node.describe());
    }
    Tensor bias;
    if (const Tensor* b = ctx.input(kInputBias)) {
      if (b->numel() != shape_.N) throw Error(node.describe() + ": bias must have N = " + std::to_string(shape_.N) + " values");
      bias = to_float32(*b);
    }
    const Tensor a = to_float32(a_in);
    const int64_t M = a.numel() / shape_.K;
    Shape out_shape = a_in.shape();
    out_shape.back() = shape_.N;
    Tensor& y = ctx.allocate_output(0, a_in.dtype(), out_shape);
    Tensor y32 = a_in.dtype() == DType::Float32 ? y : Tensor::empty(DType::Float32, out_shape);
    float* c = y32.mutable_data<float>();
    if (M > 0) {
      const bool int8_path = accuracy_level_ == 4 && weights->zero_point_kind() != NBitsWeights::ZeroPoints::Float &&
                             !weights->has_g_idx() && (shape_.bits != 2 || two_bit_int8_block(shape_.block_size));
      if (int8_path) {
        int8_nbits_matmul(*weights, a.data<float>(), M, c);
      } else {
        fp32_matmul(*weights, a.data<float>(), M, c);
      }
      if (bias.defined()) {
        const float* bv = bias.data<float>();
        for (int64_t m = 0; m < M; ++m) {
          for (int64_t n = 0; n < shape_.N; ++n) c[m * shape_.N + n] += bv[n];
        }
      }
    }
    if (a_in.dtype() != DType::Float32) narrow_half(c, y.mutable_raw(), y.dtype(), y32.numel());
  }

 private:
  // ORT has 2-bit int8 kernels only for these block sizes and stays in fp32 for the others.
  static bool two_bit_int8_block(int64_t block_size) { return block_size == 32 || block_size == 64 || block_size == 128; }

  // Tiles of columns dequantized into a scratch buffer of about 8 MiB, each multiplied by sgemm
  // (which parallelizes internally); the dequantization itself runs in parallel. A few rows
  // (decoding) instead take dot products straight from small per-task tiles.
  void fp32_matmul(const NBitsWeights& w, const float* a, int64_t M, float* c) const {
    const int64_t K = shape_.K, N = shape_.N;
    if (M <= kFewRows) {
      few_rows_matmul(w, a, M, c);
      return;
    }
    const int64_t tile = std::clamp<int64_t>((int64_t{1} << 21) / K, 16, N);
    std::vector<float> scratch(static_cast<size_t>(tile * K));
    for (int64_t n0 = 0; n0 < N; n0 += tile) {
      const int64_t count = std::min(tile, N - n0);
      tbb::parallel_for(tbb::blocked_range<int64_t>(0, count, 8), [&](const tbb::blocked_range<int64_t>& r) {
        std::vector<uint8_t> codes(static_cast<size_t>(shape_.n_blocks() * shape_.block_size));
        w.dequantize_columns(n0 + r.begin(), r.size(), scratch.data() + r.begin() * K, codes.data());
      });
      parallel_sgemm({.trans_b = true, .M = M, .N = count, .K = K, .a = a, .lda = K, .b = scratch.data(), .ldb = K,
                      .c = c + n0, .ldc = N});
    }
  }

  static constexpr int64_t kFewRows = 4;

  void few_rows_matmul(const NBitsWeights& w, const float* a, int64_t M, float* c) const {
    const int64_t K = shape_.K, N = shape_.N, nb = shape_.n_blocks();
    // 4- and 8-bit columns (without g_idx) are dequantized in registers; others through a buffer.
    const bool in_registers = (shape_.bits == 4 || shape_.bits == 8) && !w.has_g_idx();
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, N, 8), [&](const tbb::blocked_range<int64_t>& r) {
      if (in_registers) {
        std::vector<float> zero_points(static_cast<size_t>(nb));
        for (int64_t n = r.begin(); n < r.end(); ++n) {
          w.column_zero_points(n, zero_points.data());
          fp32_column_dot(a, M, K, w.column_bytes(n), shape_.bits, shape_.block_size, w.scales() + n * nb,
                          zero_points.data(), c + n, N);
        }
        return;
      }
      std::vector<float> column(static_cast<size_t>(K));
      std::vector<uint8_t> codes(static_cast<size_t>(nb * shape_.block_size));
      for (int64_t n = r.begin(); n < r.end(); ++n) {
        w.dequantize_columns(n, 1, column.data(), codes.data());
        for (int64_t m = 0; m < M; ++m) c[m * N + n] = dot_f32(a + m * K, column.data(), K);
      }
    });
  }

  // Sixteen independent partial sums, so the compiler can keep them in one vector register.
  static float dot_f32(const float* __restrict x, const float* __restrict y, int64_t n) {
    float partial[16] = {};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      for (int l = 0; l < 16; ++l) partial[l] += x[i + l] * y[i + l];
    }
    for (; i < n; ++i) partial[0] += x[i] * y[i];
    float sum = 0.0f;
    for (float p : partial) sum += p;
    return sum;
  }

  NBitsShape shape_;
  int64_t accuracy_level_ = 0;
  std::shared_ptr<const NBitsWeights> weights_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "MatMulNBits", 1, kLatestOpset, MatMulNBits);

}  // namespace evalq
