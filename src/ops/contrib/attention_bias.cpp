#include "ops/contrib/attention_bias.h"

#include <evalq/error.h>

#include <string>

#include "ops/contrib/float_io.h"

namespace evalq {

AttentionBias::AttentionBias(const KernelContext& ctx, size_t index, int64_t B, int64_t N, int64_t S, int64_t T) {
  const Tensor* in = ctx.input(index);
  if (!in) return;
  if (in->rank() != 4 || (in->dim(0) != 1 && in->dim(0) != B) || (in->dim(1) != 1 && in->dim(1) != N) ||
      in->dim(2) != S || in->dim(3) != T) {
    throw Error(ctx.node().describe() + ": attention_bias must be [" + std::to_string(B) + " (batch) or 1, " +
                std::to_string(N) + " (heads) or 1, " + std::to_string(S) + " (sequence), " + std::to_string(T) +
                " (total sequence)], got " + shape_string(in->shape()));
  }
  values_ = float_input(ctx, *in, "attention_bias");
  row_length_ = T;
  head_stride_ = in->dim(1) == 1 ? 0 : S * T;
  batch_stride_ = in->dim(0) == 1 ? 0 : in->dim(1) * S * T;
}

}  // namespace evalq
