#pragma once

// The --sim grammar: rules separated by ';', each FORMAT[:option[=value],...][@PATTERN,...].
// The first rule whose patterns match a linear weight decides how it is quantized.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evalq {

enum class SimFormat { Int4, Int8, Fp8, None };
// Rounding and scale conventions: ORT's MatMulNBits quantizer (MLAS BlockwiseQuantizer) or
// NVIDIA ModelOpt's INT4 RTN (abs-max / 7, fp32 scales, DequantizeLinear layout).
enum class SimAlgo { Ort, ModelOpt };

struct SimRule {
  SimFormat format = SimFormat::Int4;
  int64_t block = 0;  // block size along K; 0 = per output channel
  bool symmetric = true;
  SimAlgo algo = SimAlgo::Ort;
  bool act_int8 = false;         // ORT accuracy_level 4: int8 activations per K block
  std::optional<bool> lm_head;   // whether this rule may quantize the lm_head (default: yes)
  // Selectors, any of which selects a weight (none at all: every weight): globs on the weight or
  // node name, and the first/last N transformer layers.
  std::vector<std::string> patterns;
  std::optional<int64_t> first_layers, last_layers;
  std::string text;  // the rule as written, for reports
  // "int4 block 32 sym (ort), act int8" for tables.
  std::string describe() const;
};

struct SimSpec {
  std::string text;
  std::vector<SimRule> rules;
};

// Throws evalq::Error with the spec, a caret under the offending character, and what was expected.
SimSpec parse_sim_spec(std::string_view text);

// Glob with '*' and '?' ('*' crosses '.' and '/'), matched against the whole name.
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace evalq
