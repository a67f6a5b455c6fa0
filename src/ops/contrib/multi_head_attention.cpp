// MultiHeadAttention (com.microsoft), as ORT's CPU kernel computes it for the common layouts:
// query [B, S, N*H]; key/value [B, L, N*H] (projected, optional bias [3 parts] added) or already
// per head [B, N, L, H] (cross attention); optional past_key/past_value [B, N, P, H] prepended,
// present_key/present_value = the concatenation. Scores are scale * Q.K^T (scale attribute or
// 1/sqrt(H)) plus mask_filter_value where key_padding_mask [B, P+L] is 0 or, with
// unidirectional, where the key lies after the query (ORT adds the filter value rather than
// -inf), plus attention_bias [B or 1, N or 1, S, P+L]; then softmax and the product with V.
#include <cmath>
#include <cstring>
#include <vector>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/contrib/attention_bias.h"
#include "ops/contrib/attention_math.h"
#include "ops/contrib/float_io.h"
#include "ops/gemm.h"

namespace evalq {
namespace {

enum Input : size_t {
  kQuery,
  kKey,
  kValue,
  kBias,
  kKeyPaddingMask,
  kAttentionBias,
  kPastKey,
  kPastValue,
  kPastSequenceLength,
  kCacheIndirection,
};

class MultiHeadAttention final : public OpKernel {
 public:
  explicit MultiHeadAttention(const KernelInfo& info)
      : num_heads_(info.get_int("num_heads")),
        scale_(info.get_float("scale", 0.f)),
        mask_filter_value_(info.get_float("mask_filter_value", -10000.f)),
        unidirectional_(info.get_int("unidirectional", 0) == 1) {
    if (num_heads_ <= 0) info.fail("num_heads must be positive");
    if (info.has_input(kPastSequenceLength) || info.has_input(kCacheIndirection)) {
      info.fail("past_sequence_length and cache_indirection (shared-buffer beam search) are not supported");
    }
  }

  void compute(KernelContext& ctx) const override;

 private:
  int64_t num_heads_;
  float scale_;
  float mask_filter_value_;
  bool unidirectional_;
};

void MultiHeadAttention::compute(KernelContext& ctx) const {
  const std::string where = ctx.node().describe();
  auto fail = [&](const std::string& message) { throw Error(where + ": " + message); };
  if (ctx.output_count() > 3 && ctx.output_wanted(3)) fail("output qk is not supported");
  const Tensor& query_in = ctx.required_input(kQuery);
  const Tensor* key_in = ctx.input(kKey);
  const Tensor* value_in = ctx.input(kValue);
  const DType dtype = query_in.dtype();
  if (!is_contrib_float(dtype)) fail("query must be float32, float16 or bfloat16, got " + dtype_name(dtype));
  if (query_in.rank() != 3) fail("query must be [batch, seq, hidden] (packed QKV is not supported, as in ORT's CPU kernel), got " + shape_string(query_in.shape()));
  if (!key_in || !value_in) fail("key and value are required (packed QKV/KV are not supported, as in ORT's CPU kernel)");
  const int64_t B = query_in.dim(0), S = query_in.dim(1), N = num_heads_;
  if (query_in.dim(2) % N != 0) fail("query hidden size " + std::to_string(query_in.dim(2)) + " is not a multiple of num_heads");
  const int64_t H = query_in.dim(2) / N;
  const bool per_head_kv = key_in->rank() == 4;
  if (per_head_kv != (value_in->rank() == 4)) fail("key and value must both be 3-D or both be 4-D");
  int64_t L = 0, Hv = 0;
  if (per_head_kv) {
    if (key_in->dim(0) != B || key_in->dim(1) != N || key_in->dim(3) != H || value_in->dim(0) != B ||
        value_in->dim(1) != N || value_in->dim(2) != key_in->dim(2)) {
      fail("4-D key/value must be [batch, num_heads, kv_seq, head_size], got " + shape_string(key_in->shape()) + " and " +
           shape_string(value_in->shape()));
    }
    L = key_in->dim(2);
    Hv = value_in->dim(3);
  } else {
    if (key_in->rank() != 3 || key_in->dim(0) != B || key_in->dim(2) != N * H || value_in->dim(0) != B ||
        value_in->dim(1) != key_in->dim(1) || value_in->dim(2) % N != 0) {
      fail("3-D key/value must be [batch, kv_seq, num_heads * head_size], got " + shape_string(key_in->shape()) +
           " and " + shape_string(value_in->shape()));
    }
    L = key_in->dim(1);
    Hv = value_in->dim(2) / N;
  }
  const Tensor* past_key_in = ctx.input(kPastKey);
  const Tensor* past_value_in = ctx.input(kPastValue);
  if ((past_key_in == nullptr) != (past_value_in == nullptr)) fail("past_key and past_value must both be given or both omitted");
  int64_t P = 0;
  if (past_key_in) {
    if (per_head_kv) fail("past_key/past_value cannot be combined with 4-D key/value");
    if (past_key_in->rank() != 4 || past_key_in->dim(0) != B || past_key_in->dim(1) != N || past_key_in->dim(3) != H ||
        past_value_in->rank() != 4 || past_value_in->dim(0) != B || past_value_in->dim(1) != N ||
        past_value_in->dim(2) != past_key_in->dim(2) || past_value_in->dim(3) != Hv) {
      fail("past_key/past_value must be [batch, num_heads, past_seq, head_size], got " + shape_string(past_key_in->shape()) +
           " and " + shape_string(past_value_in->shape()));
    }
    P = past_key_in->dim(2);
  }
  const int64_t T = P + L;

  Tensor query = to_float32(query_in);
  Tensor key = float_input(ctx, *key_in, "key");
  Tensor value = float_input(ctx, *value_in, "value");
  Tensor bias;
  if (const Tensor* bias_in = ctx.input(kBias)) {
    if (per_head_kv) fail("bias cannot be combined with 4-D key/value");
    if (bias_in->numel() != 2 * N * H + N * Hv) fail("bias must have " + std::to_string(2 * N * H + N * Hv) + " values, got " + shape_string(bias_in->shape()));
    bias = float_input(ctx, *bias_in, "bias");
  }
  const float* bias_q = bias.defined() ? bias.data<float>() : nullptr;
  const float* bias_k = bias_q ? bias_q + N * H : nullptr;
  const float* bias_v = bias_q ? bias_q + 2 * N * H : nullptr;

  // Q as [B, N, S, H]; K and V as [B, N, T, head] with the past first.
  std::vector<float> q(B * N * S * H);
  std::vector<float> k(B * N * T * H), v(B * N * T * Hv);
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t s = 0; s < S; ++s) {
        float* dst = q.data() + ((b * N + n) * S + s) * H;
        const float* src = query.data<float>() + (b * S + s) * N * H + n * H;
        for (int64_t h = 0; h < H; ++h) dst[h] = src[h] + (bias_q ? bias_q[n * H + h] : 0.f);
      }
    }
  }
  Tensor past_key = past_key_in ? float_input(ctx, *past_key_in, "past_key") : Tensor();
  Tensor past_value = past_value_in ? float_input(ctx, *past_value_in, "past_value") : Tensor();
  auto fill_kv = [&](const Tensor& fresh, const Tensor& past, const float* add, int64_t head, std::vector<float>& dst) {
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t n = 0; n < N; ++n) {
        float* base = dst.data() + (b * N + n) * T * head;
        if (P > 0) std::memcpy(base, past.data<float>() + (b * N + n) * P * head, sizeof(float) * P * head);
        for (int64_t l = 0; l < L; ++l) {
          const float* src = per_head_kv ? fresh.data<float>() + ((b * N + n) * L + l) * head
                                         : fresh.data<float>() + (b * L + l) * N * head + n * head;
          float* row = base + (P + l) * head;
          for (int64_t h = 0; h < head; ++h) row[h] = src[h] + (add ? add[n * head + h] : 0.f);
        }
      }
    }
  };
  fill_kv(key, past_key, bias_k, H, k);
  fill_kv(value, past_value, bias_v, Hv, v);

  std::vector<int64_t> key_mask;
  if (const Tensor* mask_in = ctx.input(kKeyPaddingMask)) {
    if (mask_in->rank() != 2 || mask_in->dim(0) != B || mask_in->dim(1) != T) {
      fail("key_padding_mask must be [batch, total_kv_seq] = [" + std::to_string(B) + ", " + std::to_string(T) + "], got " +
           shape_string(mask_in->shape()));
    }
    key_mask = int64_values(*mask_in, ctx.node(), "key_padding_mask");
  }
  const AttentionBias attention_bias(ctx, kAttentionBias, B, N, S, T);

  std::vector<float> output(B * S * N * Hv, 0.f);
  const float alpha = scale_ == 0.f ? 1.f / std::sqrt(static_cast<float>(H)) : scale_;
  auto adjust = [&](int64_t b, int64_t n, int64_t s, float* row) {
    for (int64_t j = 0; j < T; ++j) {
      if ((!key_mask.empty() && key_mask[b * T + j] == 0) || (unidirectional_ && j > P + s)) row[j] += mask_filter_value_;
    }
    if (attention_bias.defined()) {
      const float* bias_row = attention_bias.row(b, n, s);
      for (int64_t j = 0; j < T; ++j) row[j] += bias_row[j];
    }
  };
  attend_heads(B, N, S, T, H, Hv, q.data(), k.data(), v.data(), alpha, adjust, output.data());

  store_floats(output.data(), B * S * N * Hv, ctx.allocate_output(0, dtype, {B, S, N * Hv}));
  if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
    store_floats(k.data(), B * N * T * H, ctx.allocate_output(1, dtype, {B, N, T, H}));
  }
  if (ctx.output_count() > 2 && ctx.output_wanted(2)) {
    store_floats(v.data(), B * N * T * Hv, ctx.allocate_output(2, dtype, {B, N, T, Hv}));
  }
}

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "MultiHeadAttention", 1, kLatestOpset, MultiHeadAttention);

}  // namespace evalq
