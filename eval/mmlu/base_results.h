#pragma once

// MMLU's base model scored once for many candidates: the base's per-question records of an mmlu
// run, paired later with each candidate's records into the two-model result, and kept in a file
// across `evalq gate` runs (docs/gate.md) under a fingerprint of everything they depend on.
#include <nlohmann/json.hpp>

#include <string>

#include "metric.h"

namespace evalq {

// The base's share of a one-shard mmlu partial document: the run identity without the models
// (options, protocol, subjects, data digest, ...), the base model's run entry and its records.
struct MmluBaseResults {
  nlohmann::json run;
  nlohmann::json model_run;
  nlohmann::json state;
};

// Scores BASE alone with the mmlu metric's `options`.
MmluBaseResults score_mmlu_base(const ModelSpec& base, const nlohmann::json& options);

// The two-model mmlu result (as `mmlu BASE QUANT` gives it) from the base's records and QUANT,
// scored now. Throws evalq::Error when the two runs' identities differ (other data or options).
nlohmann::json mmlu_against_base(const MmluBaseResults& base, const ModelSpec& quant, const nlohmann::json& options);

// What cached base results must match to be reused: the options (without data_dir: the data
// digest of the run covers what was read), the base model (canonical path, and the size and
// modification time of every file in its folder: weights, external data, tokenizer), numerics
// and simulation.
nlohmann::json mmlu_base_fingerprint(const ModelSpec& base, const nlohmann::json& options);

// A file of base results, one entry per fingerprint.
class MmluBaseCache {
 public:
  // Reads `path` when it exists (throws evalq::Error naming the file when it is not such a cache).
  explicit MmluBaseCache(std::string path);
  struct Comparison {
    nlohmann::json result;  // the two-model mmlu result
    bool reused = false;    // whether the base's saved results were used
  };
  // QUANT against BASE, reusing the base's entry when its fingerprint matches; otherwise the base
  // is scored, the entry written (replacing one for the same check whose base model files
  // changed) and a line on stderr says why.
  Comparison compare(const ModelSpec& base, const ModelSpec& quant, const nlohmann::json& options);

 private:
  void save() const;
  std::string path_;
  nlohmann::json entries_ = nlohmann::json::array();
};

}  // namespace evalq
