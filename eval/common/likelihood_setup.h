#pragma once

// What ppl and kld share: the data/window option keys, tokenizing the corpus under a BOS policy,
// and running one planned window through a model for just the rows it scores.
#include <evalq/session.h>
#include <evalq/tokenizer.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "ppl/window_plan.h"

namespace evalq {

struct LikelihoodOptions {
  std::vector<int64_t> seqs;  // empty = the method's default
  int64_t chunk = 512;
  WindowMethod method = WindowMethod::ModelOpt;
  std::string data = "wikitext2";
  std::optional<std::string> data_dir;
  BosPolicy bos = BosPolicy::Auto;
  int64_t max_tokens = 0;  // 0 = all
  int64_t max_windows = 0;
};

// Reads the shared keys (seq, chunk, method, data, data_dir, bos, max_tokens, max_windows) from
// `options`; any other key must be in `extra_keys`, or evalq::Error names it.
LikelihoodOptions parse_likelihood_options(const nlohmann::json& options, const std::set<std::string>& extra_keys,
                                           WindowMethod default_method);
std::string bos_policy_name(BosPolicy p);
BosPolicy parse_bos_policy(const std::string& name);

struct TokenizedCorpus {
  std::string data_name;
  std::string text_sha256;
  std::vector<int64_t> ids;
  std::optional<int64_t> bos_id;
  bool bos_used = false;  // whether the policy put a BOS in front (and llama.cpp windows start with one)
  std::string tokens_sha256;  // of the ids as little-endian int64
};

TokenizedCorpus tokenize_corpus(const Tokenizer& tokenizer, const LikelihoodOptions& options);

// The --seq values to run: the given ones, else the method's reference default (llama.cpp's
// -c 512, ModelOpt KLD's 4096-token windows, 1024 otherwise).
std::vector<int64_t> seqs_or_default(const LikelihoodOptions& options);

WindowSpec window_spec(const LikelihoodOptions& options, int64_t seq, const TokenizedCorpus& corpus);

// Throws evalq::Error when a window of `seq` tokens exceeds the model's context length (from
// genai_config.json / config.json; unknown lengths are not checked).
void check_context_length(const Model& model, int64_t seq);

// Logits [w.rows(), vocab] of rows [w.row_begin, w.row_end) of window `w` of `ids`.
Tensor run_window(Session& session, std::span<const int64_t> ids, const Window& w, std::optional<int64_t> bos_id);

// The vocabulary size of a window's logits (throws when they are not [w.rows(), vocab]).
int64_t logits_vocab(const Tensor& logits, const Window& w);

}  // namespace evalq
