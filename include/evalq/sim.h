#pragma once

// What a --sim spec did to a model: one decision per linear weight (MatMul/Gemm with a constant
// float weight), in graph order.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace evalq {

struct SimDecision {
  std::string node;    // the MatMul/Gemm node
  std::string weight;  // its weight initializer
  int64_t K = 0, N = 0;
  std::optional<int64_t> layer;  // transformer layer index read from the names, when present
  bool lm_head = false;
  int rule = -1;            // index of the first matching rule, -1 when none matched (kept)
  std::string rule_text;    // that rule as written
  std::string format;       // "int4 block 32 sym (ort), act int8", or "kept"
};

struct SimReport {
  std::string spec;
  std::vector<SimDecision> decisions;
  std::vector<std::string> warnings;  // rules that matched nothing, ...
  int64_t quantized_count() const {
    int64_t n = 0;
    for (const auto& d : decisions) n += d.rule >= 0 && d.format != "none (kept)";
    return n;
  }
};

}  // namespace evalq
