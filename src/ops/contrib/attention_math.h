#pragma once

// Row operations of attention scores, shared by the attention kernels. They follow ORT's CPU
// helpers (attention_helper.h): softcap is cap * tanh(x / cap); softmax subtracts the row max and
// multiplies by the reciprocal of the sum.
#include <cstdint>
#include <optional>

namespace evalq {

void softcap_inplace(float* scores, int64_t count, float cap);

// Softmax of `count` scores in place. With a sink value s (smooth softmax: s = 0; attention
// sinks: one learned s per head) the denominator gains exp(s), i.e. a virtual extra column that
// takes part in the max but gets no output.
void softmax_inplace(float* scores, int64_t count, std::optional<float> sink = std::nullopt);

}  // namespace evalq
