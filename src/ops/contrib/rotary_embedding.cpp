// RotaryEmbedding (com.microsoft): rotates each head of input [B, S, hidden] or [B, N, S, H] by
// the cos/sin cache rows of its position. position_ids is [B, S], or one value p meaning
// positions p, p+1, ... for every batch. Shapes are derived as in ORT's rotary_embedding_helper:
// without rotary_embedding_dim the head size is twice the cache width.
#include <tbb/parallel_for.h>

#include <vector>

#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/contrib/float_io.h"
#include "ops/contrib/rotary.h"

namespace evalq {
namespace {

class RotaryEmbedding final : public OpKernel {
 public:
  explicit RotaryEmbedding(const KernelInfo& info)
      : num_heads_(info.get_int("num_heads", 0)),
        rotary_dim_attr_(info.get_int("rotary_embedding_dim", 0)),
        interleaved_(info.get_int("interleaved", 0) == 1) {
    if (rotary_dim_attr_ > 0 && num_heads_ <= 0) info.fail("num_heads must be given when rotary_embedding_dim is");
    if (info.get_int("is_packed_batching", 0) != 0) info.fail("is_packed_batching=1 is not supported");
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& input_in = ctx.required_input(0);
    const Tensor& pos_in = ctx.required_input(1);
    const Tensor& cos_in = ctx.required_input(2);
    const Tensor& sin_in = ctx.required_input(3);
    const std::string where = ctx.node().describe();
    if (input_in.rank() != 3 && input_in.rank() != 4) {
      throw Error(where + ": input must be [batch, seq, hidden] or [batch, heads, seq, head_size], got " +
                  shape_string(input_in.shape()));
    }
    if (cos_in.rank() != 2 || cos_in.shape() != sin_in.shape()) {
      throw Error(where + ": cos_cache and sin_cache must both be [max_seq, rotary_dim/2], got " +
                  shape_string(cos_in.shape()) + " and " + shape_string(sin_in.shape()));
    }
    const bool transposed = input_in.rank() == 4;
    const int64_t batch = input_in.dim(0);
    const int64_t seq = transposed ? input_in.dim(2) : input_in.dim(1);
    const int64_t hidden = transposed ? input_in.dim(1) * input_in.dim(3) : input_in.dim(2);
    const int64_t max_seq = cos_in.dim(0);
    const int64_t cache_width = cos_in.dim(1);
    int64_t head_size = rotary_dim_attr_ == 0 ? cache_width * 2 : hidden / num_heads_;
    if (transposed) head_size = input_in.dim(3);
    const int64_t heads = num_heads_ > 0 ? num_heads_ : (head_size > 0 ? hidden / head_size : 0);
    const int64_t rotary_dim = rotary_dim_attr_ > 0 ? rotary_dim_attr_ : head_size;
    if (head_size <= 0 || heads * head_size != hidden || rotary_dim > head_size || rotary_dim % 2 != 0 ||
        cache_width < rotary_dim / 2) {
      throw Error(where + ": input " + shape_string(input_in.shape()) + " with num_heads " +
                  std::to_string(num_heads_) + " and cache width " + std::to_string(cache_width) +
                  " gives no consistent head size / rotary dim");
    }
    std::vector<int64_t> positions = int64_values(pos_in, ctx.node(), "position_ids");
    const bool single_start = pos_in.numel() == 1;
    if (!single_start && (pos_in.rank() != 2 || pos_in.dim(0) != batch || pos_in.dim(1) != seq)) {
      throw Error(where + ": position_ids must be [batch, seq] = [" + std::to_string(batch) + ", " +
                  std::to_string(seq) + "] or a single start position, got " + shape_string(pos_in.shape()));
    }
    for (int64_t b = 0; b < (single_start ? 1 : batch); ++b) {
      for (int64_t s = 0; s < seq; ++s) {
        int64_t p = single_start ? positions[0] + s : positions[b * seq + s];
        if (p < 0 || p >= max_seq) {
          throw Error(where + ": position " + std::to_string(p) + " is outside the cos/sin cache of " +
                      std::to_string(max_seq) + " rows");
        }
      }
    }

    Tensor input = float_input(ctx, input_in, "input");
    Tensor cos = float_input(ctx, cos_in, "cos_cache");
    Tensor sin = float_input(ctx, sin_in, "sin_cache");
    Tensor& output = ctx.allocate_output(0, input_in.dtype(), input_in.shape());
    const int64_t head_stride = transposed ? seq * head_size : head_size;
    const int64_t seq_stride = transposed ? head_size : heads * head_size;
    const int64_t batch_stride = seq * heads * head_size;
    // As ORT does, cache rows are read rotary_dim / 2 apart, whatever the cache's width.
    const int64_t cache_stride = rotary_dim / 2;
    const float* x = input.data<float>();
    tbb::parallel_for(int64_t{0}, batch * seq, [&](int64_t bs) {
      const int64_t b = bs / seq, s = bs % seq;
      const int64_t p = single_start ? positions[0] + s : positions[b * seq + s];
      const float* cos_row = cos.data<float>() + p * cache_stride;
      const float* sin_row = sin.data<float>() + p * cache_stride;
      std::vector<float> rotated(head_size);
      for (int64_t n = 0; n < heads; ++n) {
        const int64_t offset = b * batch_stride + s * seq_stride + n * head_stride;
        rotate_head(x + offset, rotated.data(), cos_row, sin_row, rotary_dim, head_size, interleaved_);
        store_floats(rotated.data(), head_size, output, offset);
      }
    });
  }

 private:
  int64_t num_heads_;
  int64_t rotary_dim_attr_;
  bool interleaved_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "RotaryEmbedding", 1, kLatestOpset, RotaryEmbedding);

}  // namespace evalq
