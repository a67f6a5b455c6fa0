#pragma once

// The optional attention_bias input of Attention, MultiHeadAttention and GroupQueryAttention:
// [batch or 1, heads or 1, seq, total_seq], broadcast over batch and heads as ORT does.
#include <evalq/tensor.h>

#include <cstdint>

#include "exec/kernel.h"

namespace evalq {

class AttentionBias {
 public:
  // Reads input `index` of the node when present (fp32/fp16/bf16), checking its shape against
  // B, N, S and T; an absent input gives a bias that is not defined().
  AttentionBias(const KernelContext& ctx, size_t index, int64_t B, int64_t N, int64_t S, int64_t T);

  bool defined() const { return values_.defined(); }
  // The T biases of query row s of head n in batch b; requires defined().
  const float* row(int64_t b, int64_t n, int64_t s) const {
    return values_.data<float>() + b * batch_stride_ + n * head_stride_ + s * row_length_;
  }

 private:
  Tensor values_;
  int64_t batch_stride_ = 0, head_stride_ = 0, row_length_ = 0;
};

}  // namespace evalq
