#include "ops/contrib/gqa_layout.h"

#include <algorithm>
#include <string>

namespace evalq {

GqaLayout gqa_layout(const KernelContext& ctx, int64_t heads, int64_t kv_heads) {
  const std::string where = ctx.node().describe();
  auto fail = [&](const std::string& message) { throw Error(where + ": " + message); };
  const Tensor& query = ctx.required_input(0);
  const Tensor* key = ctx.input(1);
  const Tensor* value = ctx.input(2);
  const Tensor* past_key = ctx.input(3);
  const Tensor* past_value = ctx.input(4);
  if (query.rank() != 3) fail("query must be [batch, seq, hidden], got " + shape_string(query.shape()));
  GqaLayout l;
  l.packed_qkv = key == nullptr;
  if (l.packed_qkv != (value == nullptr)) fail("key and value must both be given, or both omitted for packed QKV");
  if ((past_key == nullptr) != (past_value == nullptr)) fail("past_key and past_value must both be given or both omitted");
  l.batch = query.dim(0);
  l.seq = query.dim(1);
  l.heads = heads;
  l.kv_heads = kv_heads;
  const int64_t B = l.batch, S = l.seq;
  const int64_t head_count = l.packed_qkv ? heads + 2 * kv_heads : heads;
  l.head_size = query.dim(2) / head_count;
  const int64_t H = l.head_size;
  if (H <= 0 || query.dim(2) != H * head_count) {
    fail("query hidden size " + std::to_string(query.dim(2)) + " is not a multiple of the head count");
  }
  if (!l.packed_qkv) {
    for (const Tensor* t : {key, value}) {
      if (t->rank() != 3 || t->dim(0) != B || t->dim(1) != S || t->dim(2) != kv_heads * H) {
        fail("key and value must be [" + std::to_string(B) + ", " + std::to_string(S) + ", " +
             std::to_string(kv_heads * H) + "], got " + shape_string(t->shape()));
      }
    }
  }
  if (past_key) {
    for (const Tensor* t : {past_key, past_value}) {
      if (t->rank() != 4 || t->dim(0) != B || t->dim(1) != kv_heads || t->dim(3) != H || t->dim(2) != past_key->dim(2)) {
        fail("past_key and past_value must be [" + std::to_string(B) + ", " + std::to_string(kv_heads) + ", past_len, " +
             std::to_string(H) + "], got " + shape_string(t->shape()));
      }
    }
    l.past_len = past_key->dim(2);
  }

  const Tensor& seqlens = ctx.required_input(5);
  const Tensor& total = ctx.required_input(6);
  if (seqlens.dtype() != DType::Int32 || seqlens.numel() != B) {
    fail("seqlens_k must be int32 [batch=" + std::to_string(B) + "], got " + dtype_name(seqlens.dtype()) + " " +
         shape_string(seqlens.shape()));
  }
  if (total.dtype() != DType::Int32 || total.numel() != 1) fail("total_sequence_length must be one int32 value");
  l.total_len = total.data<int32_t>()[0];
  l.present_len = std::max(l.total_len, l.past_len);
  const bool continued_prompt = S > 1 && S != l.total_len;
  if (continued_prompt && B != 1) fail("a prompt continuing a past (seq > 1, seq != total_sequence_length) needs batch 1");
  const bool first_prompt = !continued_prompt && S == l.total_len;

  l.valid_keys.resize(B);
  l.past_keys.resize(B);
  for (int64_t b = 0; b < B; ++b) {
    l.valid_keys[b] = static_cast<int64_t>(seqlens.data<int32_t>()[b]) + 1;
    l.past_keys[b] = first_prompt ? 0 : l.valid_keys[b] - S;
    if (l.past_keys[b] < 0 || l.past_keys[b] > l.past_len || l.past_keys[b] + S > l.present_len ||
        l.valid_keys[b] > l.present_len) {
      fail("seqlens_k[" + std::to_string(b) + "] = " + std::to_string(l.valid_keys[b] - 1) + " does not fit seq " +
           std::to_string(S) + ", past length " + std::to_string(l.past_len) + " and total_sequence_length " +
           std::to_string(l.total_len));
    }
  }
  return l;
}

}  // namespace evalq
