// EmbedLayerNormalization (com.microsoft), as ORT's CPU kernel computes it
// (contrib_ops/cpu/bert/embed_layer_norm.cc): per token, word_embedding[input_id] +
// position_embedding[position] (+ segment_embedding[segment_id]), then LayerNorm over the hidden
// dim with the two-pass variance. The position is position_ids[b, s] (or [0, s] when position_ids
// is [1, seq]), else s. Outputs: the normalized rows, mask_index [B] = the number of 1s in each
// mask row (0 without a mask), and optionally embedding_sum, the sum before normalization (GPT-2
// graphs use it as the first residual).
#include <tbb/parallel_for.h>

#include <cmath>
#include <vector>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/contrib/float_io.h"

namespace evalq {
namespace {

enum Input : size_t {
  kInputIds,
  kSegmentIds,
  kWordEmbedding,
  kPositionEmbedding,
  kSegmentEmbedding,
  kGamma,
  kBeta,
  kMask,
  kPositionIds,
};

class EmbedLayerNormalization final : public OpKernel {
 public:
  explicit EmbedLayerNormalization(const KernelInfo& info) : epsilon_(info.get_float("epsilon", 1e-12f)) {
    if (epsilon_ < 0) info.fail("epsilon must be >= 0");
    if (info.has_input(kSegmentIds) != info.has_input(kSegmentEmbedding)) {
      info.fail("segment_ids and segment_embedding must both be given or both omitted");
    }
  }

  void compute(KernelContext& ctx) const override;

 private:
  float epsilon_;
};

void EmbedLayerNormalization::compute(KernelContext& ctx) const {
  const std::string where = ctx.node().describe();
  auto fail = [&](const std::string& message) { throw Error(where + ": " + message); };
  const Tensor& ids_in = ctx.required_input(kInputIds);
  const Tensor& word_in = ctx.required_input(kWordEmbedding);
  const Tensor& position_in = ctx.required_input(kPositionEmbedding);
  const Tensor& gamma_in = ctx.required_input(kGamma);
  const Tensor* beta_in = ctx.input(kBeta);
  const Tensor* segment_ids_in = ctx.input(kSegmentIds);
  const Tensor* segment_in = ctx.input(kSegmentEmbedding);
  const Tensor* mask_in = ctx.input(kMask);
  const Tensor* position_ids_in = ctx.input(kPositionIds);
  if (ids_in.rank() != 2) fail("input_ids must be [batch, seq], got " + shape_string(ids_in.shape()));
  const int64_t B = ids_in.dim(0), S = ids_in.dim(1);
  if (word_in.rank() != 2) fail("word_embedding must be [vocab, hidden], got " + shape_string(word_in.shape()));
  const int64_t D = word_in.dim(1);
  auto check_table = [&](const Tensor* t, const char* what) {
    if (t && (t->rank() != 2 || t->dim(1) != D)) {
      fail(std::string(what) + " must be [rows, hidden " + std::to_string(D) + "], got " + shape_string(t->shape()));
    }
  };
  check_table(&position_in, "position_embedding");
  check_table(segment_in, "segment_embedding");
  auto check_vector = [&](const Tensor* t, const char* what) {
    if (t && t->numel() != D) fail(std::string(what) + " must have " + std::to_string(D) + " values, got " + shape_string(t->shape()));
  };
  check_vector(&gamma_in, "gamma");
  check_vector(beta_in, "beta");
  auto check_ids = [&](const Tensor* t, const char* what, bool may_broadcast) {
    if (t && !(t->rank() == 2 && t->dim(1) == S && (t->dim(0) == B || (may_broadcast && t->dim(0) == 1)))) {
      fail(std::string(what) + " must have input_ids' shape [" + std::to_string(B) + ", " + std::to_string(S) + "]" +
           (may_broadcast ? " or [1, seq]" : "") + ", got " + shape_string(t->shape()));
    }
  };
  check_ids(segment_ids_in, "segment_ids", false);
  check_ids(mask_in, "mask", false);
  check_ids(position_ids_in, "position_ids", true);

  const std::vector<int64_t> ids = int64_values(ids_in, ctx.node(), "input_ids");
  const std::vector<int64_t> segment_ids =
      segment_ids_in ? int64_values(*segment_ids_in, ctx.node(), "segment_ids") : std::vector<int64_t>{};
  const std::vector<int64_t> position_ids =
      position_ids_in ? int64_values(*position_ids_in, ctx.node(), "position_ids") : std::vector<int64_t>{};
  const bool broadcast_positions = position_ids_in && position_ids_in->dim(0) == 1;
  const int64_t vocab = word_in.dim(0), positions = position_in.dim(0), segments = segment_in ? segment_in->dim(0) : 0;

  auto position_of = [&](int64_t token) {
    if (position_ids.empty()) return token % S;
    return broadcast_positions ? position_ids[token % S] : position_ids[token];
  };
  for (int64_t t = 0; t < B * S; ++t) {
    if (ids[t] < 0 || ids[t] >= vocab) {
      fail("input_ids[" + std::to_string(t) + "] = " + std::to_string(ids[t]) + " is outside the " + std::to_string(vocab) +
           "-row word_embedding");
    }
    const int64_t position = position_of(t);
    if (position < 0 || position >= positions) {
      fail("position " + std::to_string(position) + " of token " + std::to_string(t) + " is outside the " +
           std::to_string(positions) + "-row position_embedding");
    }
    if (!segment_ids.empty() && (segment_ids[t] < 0 || segment_ids[t] >= segments)) {
      fail("segment_ids[" + std::to_string(t) + "] = " + std::to_string(segment_ids[t]) + " is outside the " +
           std::to_string(segments) + "-row segment_embedding");
    }
  }

  check_contrib_float(ctx, word_in, "word_embedding");
  check_contrib_float(ctx, position_in, "position_embedding");
  if (segment_in) check_contrib_float(ctx, *segment_in, "segment_embedding");
  Tensor gamma = float_input(ctx, gamma_in, "gamma");
  Tensor beta = beta_in ? float_input(ctx, *beta_in, "beta") : Tensor();
  const DType dtype = word_in.dtype();
  Tensor& output = ctx.allocate_output(0, dtype, {B, S, D});
  Tensor* sum_out = ctx.output_count() > 2 && ctx.output_wanted(2) ? &ctx.allocate_output(2, dtype, {B, S, D}) : nullptr;
  const float* g = gamma.data<float>();
  const float* be = beta.defined() ? beta.data<float>() : nullptr;
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, B * S), [&](const tbb::blocked_range<int64_t>& range) {
    std::vector<float> y(D), word_row, position_row, segment_row;
    for (int64_t t = range.begin(); t < range.end(); ++t) {
      const float* w = load_floats(word_in, ids[t] * D, D, word_row);
      const float* p = load_floats(position_in, position_of(t) * D, D, position_row);
      const float* sg = segment_ids.empty() ? nullptr : load_floats(*segment_in, segment_ids[t] * D, D, segment_row);
      float sum = 0.f;
      for (int64_t i = 0; i < D; ++i) {
        y[i] = sg ? w[i] + p[i] + sg[i] : w[i] + p[i];
        sum += y[i];
      }
      if (sum_out) store_floats(y.data(), D, *sum_out, t * D);
      const float mean = sum / static_cast<float>(D);
      float square_sum = 0.f;
      for (int64_t i = 0; i < D; ++i) {
        y[i] -= mean;
        square_sum += y[i] * y[i];
      }
      const float root = std::sqrt(square_sum / static_cast<float>(D) + epsilon_);
      for (int64_t i = 0; i < D; ++i) y[i] = be ? y[i] / root * g[i] + be[i] : y[i] / root * g[i];
      store_floats(y.data(), D, output, t * D);
    }
  });

  if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
    Tensor& mask_index = ctx.allocate_output(1, DType::Int32, {B});
    const std::vector<int64_t> mask = mask_in ? int64_values(*mask_in, ctx.node(), "mask") : std::vector<int64_t>{};
    for (int64_t b = 0; b < B; ++b) {
      int32_t ones = 0;
      for (int64_t s = 0; s < S && !mask.empty(); ++s) ones += mask[b * S + s] == 1;
      mask_index.mutable_data<int32_t>()[b] = ones;
    }
  }
}

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "EmbedLayerNormalization", 1, kLatestOpset, EmbedLayerNormalization);

}  // namespace evalq
