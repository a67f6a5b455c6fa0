// Attention (com.microsoft), the packed-QKV self attention of ORT-optimized BERT and GPT-2 graphs,
// as ORT's CPU kernel computes it (contrib_ops/cpu/bert/attention.cc, attention_cpu_base.h):
// input [B, S, D_i] times weights [D_i, D + D + D_v] plus bias gives Q, K, V (qkv_hidden_sizes
// splits the columns, else three equal parts); an optional combined past [2, B, N, P, H] is
// prepended to K and V and present [2, B, N, P + S, H] returned. Scores are scale * Q.K^T (scale
// attribute, else 1/sqrt(H)) plus attention_bias [B or 1, N or 1, S, T] plus a mask built from
// mask_index the way ORT's PrepareMask builds it; then softmax and the product with V.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/contrib/attention_bias.h"
#include "ops/contrib/attention_math.h"
#include "ops/contrib/float_io.h"
#include "ops/gemm.h"

namespace evalq {
namespace {

enum Input : size_t { kInput, kWeights, kBias, kMaskIndex, kPast, kAttentionBias, kPastSequenceLength };

class Attention final : public OpKernel {
 public:
  explicit Attention(const KernelInfo& info)
      : num_heads_(info.get_int("num_heads")),
        unidirectional_(info.get_int("unidirectional", 0) == 1),
        scale_(info.get_float("scale", 0.f)),
        mask_filter_value_(info.get_float("mask_filter_value", -10000.f)),
        qkv_hidden_sizes_(info.get_ints("qkv_hidden_sizes", std::vector<int64_t>{})) {
    if (num_heads_ <= 0) info.fail("num_heads must be positive");
    if (info.get_int("do_rotary", 0) != 0) {
      info.fail("do_rotary=1 is not supported (ORT's CPU kernel refuses it too; use MultiHeadAttention + RotaryEmbedding)");
    }
    if (info.get_int("past_present_share_buffer", 0) != 0 || info.has_input(kPastSequenceLength)) {
      info.fail("past_present_share_buffer and past_sequence_length (shared KV buffer, a GPU-only mode) are not supported");
    }
    if (!qkv_hidden_sizes_.empty()) {
      if (qkv_hidden_sizes_.size() != 3) info.fail("qkv_hidden_sizes must have 3 values");
      for (int64_t size : qkv_hidden_sizes_) {
        if (size <= 0 || size % num_heads_ != 0) {
          info.fail("qkv_hidden_sizes values must be positive multiples of num_heads " + std::to_string(num_heads_));
        }
      }
      if (qkv_hidden_sizes_[0] != qkv_hidden_sizes_[1]) info.fail("qkv_hidden_sizes: Q and K hidden sizes must be equal");
    }
  }

  void compute(KernelContext& ctx) const override;

 private:
  // Additive mask [B, S, T] as ORT's PrepareMask builds it: 0 where a key is visible,
  // mask_filter_value where mask_index hides it, and the lowest float (set, not added) above the
  // causal diagonal. Empty when there is neither mask_index nor a causal mask.
  std::vector<float> build_mask(KernelContext& ctx, int64_t B, int64_t S, int64_t P) const;

  int64_t num_heads_;
  bool unidirectional_;
  float scale_;
  float mask_filter_value_;
  std::vector<int64_t> qkv_hidden_sizes_;
};

std::vector<float> Attention::build_mask(KernelContext& ctx, int64_t B, int64_t S, int64_t P) const {
  const std::string where = ctx.node().describe();
  const int64_t T = P + S;
  const bool causal = unidirectional_ && S > 1;
  const Tensor* mask_in = ctx.input(kMaskIndex);
  // [B or 1, 1] holds one value per row: it shifts all scores equally, so ORT drops it.
  if (mask_in && mask_in->rank() == 2 && mask_in->dim(1) == 1 && (mask_in->dim(0) == B || mask_in->dim(0) == 1) &&
      !(mask_in->dim(0) == B && T == 1)) {
    mask_in = nullptr;
  }
  if (!mask_in && !causal) return {};
  std::vector<float> mask(B * S * T, 0.f);
  if (mask_in) {
    const std::vector<int64_t> m = int64_values(*mask_in, ctx.node(), "mask_index");
    const Shape& dims = mask_in->shape();
    if (dims.size() == 3) {
      if (dims[0] != B || dims[1] != S || dims[2] != T) {
        throw Error(where + ": 3-D mask_index must be [batch, seq, total_seq] = [" + std::to_string(B) + ", " +
                    std::to_string(S) + ", " + std::to_string(T) + "], got " + shape_string(dims));
      }
      for (int64_t i = 0; i < B * S * T; ++i) mask[i] = m[i] > 0 ? 0.f : mask_filter_value_;
    } else if (dims.size() == 2) {
      if (dims[0] != B || dims[1] != T) {
        throw Error(where + ": 2-D mask_index must be [batch, total_seq] = [" + std::to_string(B) + ", " +
                    std::to_string(T) + "], got " + shape_string(dims));
      }
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t s = 0; s < S; ++s) {
          for (int64_t j = 0; j < T; ++j) mask[(b * S + s) * T + j] = m[b * T + j] > 0 ? 0.f : mask_filter_value_;
        }
      }
    } else if (dims.size() == 1 && (dims[0] == B || dims[0] == 2 * B)) {
      // Key lengths (right padding), with start positions (left padding) in the second half.
      for (int64_t b = 0; b < B; ++b) {
        const int64_t end = std::max<int64_t>(m[b], 0);
        const int64_t start = dims[0] == 2 * B ? std::min(m[B + b], T) : 0;
        for (int64_t s = 0; s < S; ++s) {
          float* row = mask.data() + (b * S + s) * T;
          for (int64_t j = end; j < T; ++j) row[j] = mask_filter_value_;
          for (int64_t j = 0; j < start; ++j) row[j] = mask_filter_value_;
        }
      }
    } else {
      throw Error(where + ": mask_index must be [batch] key lengths, [2 * batch] end and start positions, [batch, " +
                  "total_seq] or [batch, seq, total_seq] (ORT's CPU kernel supports no other form), got " +
                  shape_string(dims));
    }
  }
  if (causal) {
    const float lowest = std::numeric_limits<float>::lowest();
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t s = 0; s < S; ++s) {
        float* row = mask.data() + (b * S + s) * T;
        for (int64_t j = P + s + 1; j < T; ++j) row[j] = lowest;
      }
    }
  }
  return mask;
}

void Attention::compute(KernelContext& ctx) const {
  const std::string where = ctx.node().describe();
  auto fail = [&](const std::string& message) { throw Error(where + ": " + message); };
  const Tensor& input_in = ctx.required_input(kInput);
  const Tensor& weights_in = ctx.required_input(kWeights);
  const Tensor& bias_in = ctx.required_input(kBias);
  const DType dtype = input_in.dtype();
  if (!is_contrib_float(dtype)) fail("input must be float32, float16 or bfloat16, got " + dtype_name(dtype));
  if (input_in.rank() != 3) fail("input must be [batch, seq, input_hidden], got " + shape_string(input_in.shape()));
  const int64_t B = input_in.dim(0), S = input_in.dim(1), Di = input_in.dim(2), N = num_heads_;
  if (weights_in.rank() != 2 || weights_in.dim(0) != Di) {
    fail("weights must be [input_hidden " + std::to_string(Di) + ", q + k + v hidden], got " + shape_string(weights_in.shape()));
  }
  const int64_t Dt = weights_in.dim(1);
  if (bias_in.rank() != 1 || bias_in.dim(0) != Dt) {
    fail("bias must be [" + std::to_string(Dt) + "] (weights' columns), got " + shape_string(bias_in.shape()));
  }
  const int64_t D = qkv_hidden_sizes_.empty() ? Dt / 3 : qkv_hidden_sizes_[0];
  const int64_t Dv = qkv_hidden_sizes_.empty() ? Dt / 3 : qkv_hidden_sizes_[2];
  if (D + D + Dv != Dt) {
    fail("weights have " + std::to_string(Dt) + " columns, expected q + k + v hidden sizes " + std::to_string(D) + " + " +
         std::to_string(D) + " + " + std::to_string(Dv));
  }
  if (D % N != 0) fail("hidden size " + std::to_string(D) + " is not a multiple of num_heads " + std::to_string(N));
  const int64_t H = D / N, Hv = Dv / N;

  const Tensor* past_in = ctx.input(kPast);
  const bool want_present = ctx.output_count() > 1 && ctx.output_wanted(1);
  if ((past_in || want_present) && D != Dv) fail("past/present need equal K and V hidden sizes, got " + std::to_string(D) + " and " + std::to_string(Dv));
  int64_t P = 0;
  if (past_in) {
    if (past_in->rank() != 5 || past_in->dim(0) != 2 || past_in->dim(1) != B || past_in->dim(2) != N ||
        past_in->dim(4) != H) {
      fail("past must be [2, batch " + std::to_string(B) + ", num_heads " + std::to_string(N) + ", past_seq, head_size " +
           std::to_string(H) + "], got " + shape_string(past_in->shape()));
    }
    P = past_in->dim(3);
  }
  const int64_t T = P + S;

  // Q, K, V = input . weights + bias, as one [B*S, Dt] product.
  Tensor input = float_input(ctx, input_in, "input");
  Tensor weights = float_input(ctx, weights_in, "weights");
  Tensor bias = float_input(ctx, bias_in, "bias");
  std::vector<float> qkv(B * S * Dt);
  for (int64_t r = 0; r < B * S; ++r) std::memcpy(qkv.data() + r * Dt, bias.data<float>(), sizeof(float) * Dt);
  if (B * S > 0 && Di > 0) {
    parallel_sgemm({.M = B * S, .N = Dt, .K = Di, .a = input.data<float>(), .lda = Di, .b = weights.data<float>(),
                    .ldb = Dt, .beta = 1.f, .c = qkv.data(), .ldc = Dt});
  }

  // Q as [B, N, S, H]; K and V as [B, N, T, head] with the past first.
  std::vector<float> q(B * N * S * H), k(B * N * T * H), v(B * N * T * Hv);
  Tensor past = past_in ? float_input(ctx, *past_in, "past") : Tensor();
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t n = 0; n < N; ++n) {
      const int64_t bn = b * N + n;
      if (P > 0) {
        std::memcpy(k.data() + bn * T * H, past.data<float>() + bn * P * H, sizeof(float) * P * H);
        std::memcpy(v.data() + bn * T * Hv, past.data<float>() + (B * N + bn) * P * H, sizeof(float) * P * Hv);
      }
      for (int64_t s = 0; s < S; ++s) {
        const float* row = qkv.data() + (b * S + s) * Dt;
        std::memcpy(q.data() + (bn * S + s) * H, row + n * H, sizeof(float) * H);
        std::memcpy(k.data() + (bn * T + P + s) * H, row + D + n * H, sizeof(float) * H);
        std::memcpy(v.data() + (bn * T + P + s) * Hv, row + 2 * D + n * Hv, sizeof(float) * Hv);
      }
    }
  }

  const std::vector<float> mask = build_mask(ctx, B, S, P);
  const AttentionBias attention_bias(ctx, kAttentionBias, B, N, S, T);
  ScoreRowAdjust adjust;
  if (!mask.empty() || attention_bias.defined()) {
    // ORT sums bias and mask first, then adds the scaled product to that sum.
    adjust = [&](int64_t b, int64_t n, int64_t s, float* row) {
      const float* mask_row = mask.empty() ? nullptr : mask.data() + (b * S + s) * T;
      const float* bias_row = attention_bias.defined() ? attention_bias.row(b, n, s) : nullptr;
      for (int64_t j = 0; j < T; ++j) {
        const float add = bias_row ? (mask_row ? bias_row[j] + mask_row[j] : bias_row[j]) : mask_row[j];
        row[j] += add;
      }
    };
  }

  std::vector<float> output(B * S * N * Hv, 0.f);
  const float alpha = scale_ == 0.f ? 1.f / std::sqrt(static_cast<float>(H)) : scale_;
  attend_heads(B, N, S, T, H, Hv, q.data(), k.data(), v.data(), alpha, adjust, output.data());

  store_floats(output.data(), B * S * N * Hv, ctx.allocate_output(0, dtype, {B, S, N * Hv}));
  if (want_present) {
    Tensor& present = ctx.allocate_output(1, dtype, {2, B, N, T, H});
    store_floats(k.data(), B * N * T * H, present);
    store_floats(v.data(), B * N * T * H, present, B * N * T * H);
  }
}

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "Attention", 1, kLatestOpset, Attention);

}  // namespace evalq
