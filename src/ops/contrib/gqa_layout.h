#pragma once

// Shapes and per-batch lengths of one GroupQueryAttention call, derived from its inputs exactly
// as ORT's group_query_attention_helper does (see group_query_attention.cpp for the rules).
#include <cstdint>
#include <vector>

#include "exec/kernel.h"

namespace evalq {

struct GqaLayout {
  int64_t batch = 0;
  int64_t seq = 0;          // query tokens of this call
  int64_t heads = 0;
  int64_t kv_heads = 0;
  int64_t head_size = 0;
  bool packed_qkv = false;  // query holds Q | K | V; key and value omitted
  int64_t past_len = 0;     // past buffer length (dim 2 of past_key)
  int64_t total_len = 0;    // total_sequence_length
  int64_t present_len = 0;  // max(total_len, past_len)
  std::vector<int64_t> valid_keys;  // per batch: seqlens_k[b] + 1
  std::vector<int64_t> past_keys;   // per batch: valid past rows read from past_key/value
};

// Validates the node's inputs (inputs 0-6) and derives the layout; errors name the node.
GqaLayout gqa_layout(const KernelContext& ctx, int64_t heads, int64_t kv_heads);

}  // namespace evalq
