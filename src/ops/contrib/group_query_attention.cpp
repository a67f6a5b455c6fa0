// GroupQueryAttention (com.microsoft), as ONNX Runtime's CPU kernel computes it.
//
// query is [B, S, N*H] (or packed [B, S, (N + 2*Nkv)*H] with key/value omitted); past_key/value
// and present_key/value are [B, Nkv, L, H]. Lengths follow ORT's group_query_attention_helper
// (gqa_layout.cpp): total = total_sequence_length, present length = max(total, past buffer
// length); per batch, seqlens_k[b] + 1 keys are valid, of which the last S are this call's. A
// call is the first prompt when S == total (no past is read); S > 1 with S != total is a
// continued prompt (batch 1).
// Scores are scaled Q.K^T (scale attribute or 1/sqrt(H)), softcapped, biased, causally masked
// (and limited to the last local_window_size keys, the query's own included, as ORT 1.32 does),
// then softmaxed (with smooth_softmax or head_sink: an extra virtual key). Query head n reads kv
// head n / (N / Nkv). Fused rotary (do_rotary) rotates Q and K at positions position_ids, or
// past length + s.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/contrib/attention_bias.h"
#include "ops/contrib/attention_math.h"
#include "ops/contrib/float_io.h"
#include "ops/contrib/gqa_layout.h"
#include "ops/contrib/rotary.h"
#include "ops/gemm.h"

namespace evalq {
namespace {

enum Input : size_t {
  kQuery,
  kKey,
  kValue,
  kPastKey,
  kPastValue,
  kSeqlensK,
  kTotalSequenceLength,
  kCosCache,
  kSinCache,
  kPositionIds,
  kAttentionBias,
  kHeadSink,
  kFirstUnsupportedInput,  // k_scale, v_scale, q/k norm weights, query_seqlens
};

// Query rows per block of a long prompt: a block reads only the keys up to its last row, so
// smaller blocks skip more of the causally masked scores (128 rows compute 56 % of the full
// square at 1024 tokens, 256 rows 63 %) while its products stay large enough for sgemm.
constexpr int64_t kRowBlock = 128;

// Rounds values to `dtype` and back, where ORT keeps an intermediate in the model's float type.
void round_to(DType dtype, float* data, int64_t count) {
  if (dtype == DType::Float16) {
    for (int64_t i = 0; i < count; ++i) data[i] = half_to_float(float_to_half(data[i]));
  } else if (dtype == DType::BFloat16) {
    for (int64_t i = 0; i < count; ++i) data[i] = bfloat16_to_float(float_to_bfloat16(data[i]));
  }
}

// One head-major fp32 buffer [B, heads, S, H].
struct Heads {
  int64_t heads;
  std::vector<float> values;
};

class GroupQueryAttention final : public OpKernel {
 public:
  explicit GroupQueryAttention(const KernelInfo& info)
      : num_heads_(info.get_int("num_heads")),
        kv_num_heads_(info.get_int("kv_num_heads")),
        scale_(info.get_float("scale", 0.f)),
        softcap_(info.get_float("softcap", 0.f)),
        local_window_size_(info.get_int("local_window_size", -1)),
        do_rotary_(info.get_int("do_rotary", 0) == 1),
        rotary_interleaved_(info.get_int("rotary_interleaved", 0) == 1),
        smooth_softmax_(info.get_int("smooth_softmax", 0) == 1) {
    if (num_heads_ <= 0 || kv_num_heads_ <= 0 || num_heads_ % kv_num_heads_ != 0) {
      info.fail("num_heads (" + std::to_string(num_heads_) + ") must be a positive multiple of kv_num_heads (" +
                std::to_string(kv_num_heads_) + ")");
    }
    if (info.get_int("qk_output", 0) != 0) info.fail("qk_output is not supported");
    if (info.get_int("kv_cache_bit_width", 0) != 0 || info.get_string("k_quant_type", "NONE") != "NONE" ||
        info.get_string("v_quant_type", "NONE") != "NONE") {
      info.fail("quantized KV caches (kv_cache_bit_width, k_quant_type, v_quant_type) are not supported");
    }
    if (info.get_int("causal", 1) != 1) info.fail("causal=0 is not supported");
    for (size_t i = kFirstUnsupportedInput; i < info.input_count(); ++i) {
      if (info.has_input(i)) {
        info.fail("input " + std::to_string(i) + " (quantization scales, QK norm weights or query_seqlens) is not supported");
      }
    }
  }

  void compute(KernelContext& ctx) const override;

 private:
  void rotate_qk(const KernelContext& ctx, const GqaLayout& l, DType dtype, Heads& q, Heads& k) const;

  int64_t num_heads_;
  int64_t kv_num_heads_;
  float scale_;
  float softcap_;
  int64_t local_window_size_;
  bool do_rotary_;
  bool rotary_interleaved_;
  bool smooth_softmax_;
};

// Rotates Q and K in place with the cos/sin cache rows of each token's position.
void GroupQueryAttention::rotate_qk(const KernelContext& ctx, const GqaLayout& l, DType dtype, Heads& q,
                                    Heads& k) const {
  const std::string where = ctx.node().describe();
  auto fail = [&](const std::string& message) { throw Error(where + ": " + message); };
  const int64_t B = l.batch, S = l.seq, H = l.head_size;
  const Tensor* cos_in = ctx.input(kCosCache);
  const Tensor* sin_in = ctx.input(kSinCache);
  if (!cos_in || !sin_in) fail("do_rotary=1 needs cos_cache and sin_cache");
  if (cos_in->rank() != 2 || cos_in->shape() != sin_in->shape() || cos_in->dim(1) * 2 > H || cos_in->dim(1) <= 0) {
    fail("cos_cache and sin_cache must both be [max_seq, rotary_dim/2] with rotary_dim <= head_size " +
         std::to_string(H) + ", got " + shape_string(cos_in->shape()) + " and " + shape_string(sin_in->shape()));
  }
  const int64_t half = cos_in->dim(1), max_seq = cos_in->dim(0);
  std::vector<int64_t> positions(B * S);
  if (const Tensor* pos_in = ctx.input(kPositionIds)) {
    if (pos_in->numel() != B * S) fail("position_ids must be [batch, seq], got " + shape_string(pos_in->shape()));
    positions = int64_values(*pos_in, ctx.node(), "position_ids");
  } else {
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t s = 0; s < S; ++s) positions[b * S + s] = l.past_keys[b] + s;
    }
  }
  for (int64_t p : positions) {
    if (p < 0 || p >= max_seq) {
      fail("rotary position " + std::to_string(p) + " is outside the cos/sin cache of " + std::to_string(max_seq) + " rows");
    }
  }
  Tensor cos = float_input(ctx, *cos_in, "cos_cache");
  Tensor sin = float_input(ctx, *sin_in, "sin_cache");
  for (Heads* x : {&q, &k}) {
    tbb::parallel_for(int64_t{0}, B * x->heads, [&](int64_t bn) {
      const int64_t b = bn / x->heads;
      std::vector<float> rotated(H);
      for (int64_t s = 0; s < S; ++s) {
        float* head = x->values.data() + (bn * S + s) * H;
        const int64_t p = positions[b * S + s];
        rotate_head(head, rotated.data(), cos.data<float>() + p * half, sin.data<float>() + p * half, 2 * half, H,
                    rotary_interleaved_);
        // ORT stores rotated Q and K in the model's float type before using them.
        round_to(dtype, rotated.data(), H);
        std::memcpy(head, rotated.data(), sizeof(float) * H);
      }
    });
  }
}

void GroupQueryAttention::compute(KernelContext& ctx) const {
  const std::string where = ctx.node().describe();
  auto fail = [&](const std::string& message) { throw Error(where + ": " + message); };
  if (ctx.output_count() > 3 && ctx.output_wanted(3)) fail("output_qk is not supported");
  const Tensor& query_in = ctx.required_input(kQuery);
  const DType dtype = query_in.dtype();
  if (!is_contrib_float(dtype)) fail("query must be float32, float16 or bfloat16, got " + dtype_name(dtype));
  const GqaLayout l = gqa_layout(ctx, num_heads_, kv_num_heads_);
  const int64_t B = l.batch, S = l.seq, N = l.heads, Nkv = l.kv_heads, H = l.head_size, P = l.present_len;

  // Q, new K and new V as fp32 [batch, heads, seq, head_size].
  Tensor query = to_float32(query_in);
  Heads q{N, std::vector<float>(B * N * S * H)};
  Heads k{Nkv, std::vector<float>(B * Nkv * S * H)};
  Heads v{Nkv, std::vector<float>(B * Nkv * S * H)};
  auto to_bnsh = [&](const float* src, int64_t row_width, int64_t column, Heads& dst) {
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t s = 0; s < S; ++s) {
        const float* row = src + (b * S + s) * row_width + column;
        for (int64_t n = 0; n < dst.heads; ++n) {
          std::memcpy(dst.values.data() + ((b * dst.heads + n) * S + s) * H, row + n * H, sizeof(float) * H);
        }
      }
    }
  };
  if (l.packed_qkv) {
    const int64_t width = (N + 2 * Nkv) * H;
    to_bnsh(query.data<float>(), width, 0, q);
    to_bnsh(query.data<float>(), width, N * H, k);
    to_bnsh(query.data<float>(), width, (N + Nkv) * H, v);
  } else {
    to_bnsh(query.data<float>(), N * H, 0, q);
    to_bnsh(float_input(ctx, ctx.required_input(kKey), "key").data<float>(), Nkv * H, 0, k);
    to_bnsh(float_input(ctx, ctx.required_input(kValue), "value").data<float>(), Nkv * H, 0, v);
  }
  if (do_rotary_) rotate_qk(ctx, l, dtype, q, k);

  // Present K/V: the valid past rows of each batch, then this call's rows; zeros after.
  const bool fp32 = dtype == DType::Float32;
  const int64_t present_numel = B * Nkv * P * H;
  std::vector<float> present_scratch_k, present_scratch_v;
  auto present_buffer = [&](size_t index, std::vector<float>& scratch) -> float* {
    if (fp32 && ctx.output_count() > index && ctx.output_wanted(index)) {
      return ctx.allocate_output(index, dtype, {B, Nkv, P, H}).mutable_data<float>();
    }
    scratch.resize(present_numel);
    return scratch.data();
  };
  float* present_k = present_buffer(1, present_scratch_k);
  float* present_v = present_buffer(2, present_scratch_v);
  std::fill(present_k, present_k + present_numel, 0.f);
  std::fill(present_v, present_v + present_numel, 0.f);
  const Tensor* past_key_in = ctx.input(kPastKey);
  Tensor past_key = past_key_in ? float_input(ctx, *past_key_in, "past_key") : Tensor();
  Tensor past_value = past_key_in ? float_input(ctx, ctx.required_input(kPastValue), "past_value") : Tensor();
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t n = 0; n < Nkv; ++n) {
      const int64_t bn = b * Nkv + n;
      const int64_t past_rows = l.past_keys[b];
      if (past_rows > 0) {
        std::memcpy(present_k + bn * P * H, past_key.data<float>() + bn * l.past_len * H, sizeof(float) * past_rows * H);
        std::memcpy(present_v + bn * P * H, past_value.data<float>() + bn * l.past_len * H, sizeof(float) * past_rows * H);
      }
      std::memcpy(present_k + (bn * P + past_rows) * H, k.values.data() + bn * S * H, sizeof(float) * S * H);
      std::memcpy(present_v + (bn * P + past_rows) * H, v.values.data() + bn * S * H, sizeof(float) * S * H);
    }
  }

  // attention_bias is [B or 1, N or 1, S, total_sequence_length], added after softcap.
  const int64_t T = l.total_len;
  const AttentionBias bias(ctx, kAttentionBias, B, N, S, T);
  Tensor sinks;
  if (const Tensor* sink_in = ctx.input(kHeadSink)) {
    if (sink_in->numel() != N) {
      fail("head_sink must have num_heads = " + std::to_string(N) + " values, got " + shape_string(sink_in->shape()));
    }
    sinks = float_input(ctx, *sink_in, "head_sink");
  }

  std::vector<float> output_scratch;
  float* output = nullptr;
  if (fp32) {
    output = ctx.allocate_output(0, dtype, {B, S, N * H}).mutable_data<float>();
  } else {
    output_scratch.resize(B * S * N * H);
    output = output_scratch.data();
  }
  const float alpha = scale_ == 0.f ? 1.f / std::sqrt(static_cast<float>(H)) : scale_;
  const int64_t group = N / Nkv;
  // Rows s0..s1 of one (batch, head) need only the keys up to the last row's causal limit.
  auto attend = [&](int64_t bn, int64_t s0, int64_t s1) {
    const int64_t b = bn / N, n = bn % N;
    const int64_t kv = b * Nkv + n / group;
    const int64_t valid = l.valid_keys[b], past_rows = l.past_keys[b];
    const int64_t cols = std::min(past_rows + s1, valid);
    const int64_t rows = s1 - s0;
    std::vector<float> scores(rows * cols);
    sgemm({.trans_b = true, .M = rows, .N = cols, .K = H, .alpha = alpha, .a = q.values.data() + (bn * S + s0) * H,
           .lda = H, .b = present_k + kv * P * H, .ldb = H, .c = scores.data(), .ldc = cols});
    std::optional<float> sink;
    if (sinks.defined()) {
      sink = sinks.data<float>()[n];
    } else if (smooth_softmax_) {
      sink = 0.f;
    }
    for (int64_t s = s0; s < s1; ++s) {
      float* row = scores.data() + (s - s0) * cols;
      const int64_t causal = std::min(past_rows + s + 1, valid);
      const int64_t start = (local_window_size_ > 0 && causal > local_window_size_) ? causal - local_window_size_ : 0;
      if (softcap_ > 0.f) softcap_inplace(row + start, causal - start, softcap_);
      if (bias.defined()) {
        const float* bias_row = bias.row(b, n, s);
        for (int64_t j = start; j < causal; ++j) row[j] += bias_row[j];
      }
      softmax_inplace(row + start, causal - start, sink);
      std::fill(row, row + start, 0.f);
      std::fill(row + causal, row + cols, 0.f);
    }
    sgemm({.M = rows, .N = H, .K = cols, .a = scores.data(), .lda = cols, .b = present_v + kv * P * H, .ldb = H,
           .c = output + (b * S + s0) * N * H + n * H, .ldc = N * H});
  };
  // One task per (batch, head, row block), each product single-threaded: no OpenBLAS
  // synchronization, and TBB balances the blocks' unequal (causal) sizes.
  const int64_t blocks = (S + kRowBlock - 1) / kRowBlock;
  SerialBlas serial;
  tbb::parallel_for(int64_t{0}, B * N * blocks, [&](int64_t task) {
    // Last row blocks first: they are the largest, so the small ones fill in at the end.
    const int64_t bn = task % (B * N), block = blocks - 1 - task / (B * N);
    attend(bn, block * kRowBlock, std::min(S, (block + 1) * kRowBlock));
  });

  if (!fp32) {
    store_floats(output, B * S * N * H, ctx.allocate_output(0, dtype, {B, S, N * H}));
    if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
      store_floats(present_k, present_numel, ctx.allocate_output(1, dtype, {B, Nkv, P, H}));
    }
    if (ctx.output_count() > 2 && ctx.output_wanted(2)) {
      store_floats(present_v, present_numel, ctx.allocate_output(2, dtype, {B, Nkv, P, H}));
    }
  }
}

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "GroupQueryAttention", 1, kLatestOpset, GroupQueryAttention);

}  // namespace evalq
