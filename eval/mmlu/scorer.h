#pragma once

// Scores one subject's questions on one model under a protocol. The few-shot prefix is the same
// for every question of a subject, so its KV cache is computed once and each question runs only
// its own tokens; logits are computed only at the scored positions.
#include <evalq/model.h>
#include <evalq/session.h>
#include <evalq/tokenizer.h>

#include "mmlu/prompt.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace evalq {

struct MmluScoringOptions {
  MmluProtocol protocol = MmluProtocol::LmEval;
  int64_t max_length = 0;     // context length in tokens (lm-eval max_length)
  bool prefix_reuse = true;   // false = one full forward per question (the reference path)
};

struct MmluAnswer {
  int64_t index = 0;
  int gold = 0;
  int pred = -1;                    // 0..3, -1 when a generation named no letter
  std::array<double, 4> ll{};       // log-likelihood of each choice's scored tokens
  bool correct = false;
  bool truncated = false;           // lm-eval: context left-cut; hendrycks: fewer shots used
  bool skipped = false;             // modelopt: prompt + 2 tokens over the context length
  int shots = 0;                    // shots actually in the prompt
  std::string generated;            // modelopt: the decoded 2 greedy tokens
  MmluPrompt prompt;                // the prompt as scored
};

class MmluScorer {
 public:
  MmluScorer(std::shared_ptr<const Model> model, const Tokenizer& tokenizer, MmluScoringOptions options);
  ~MmluScorer();

  // `test` holds the subject's questions (already limited); questions [first, last) are scored
  // (all when last is npos). The shared prefix is found over all of `test`, so a question scores
  // the same whichever slice it is scored in (sharded runs). Throws evalq::Error on bad input.
  std::vector<MmluAnswer> score_subject(const std::string& subject, const std::vector<MmluQuestion>& dev,
                                        int shots, const std::vector<MmluQuestion>& test, size_t first = 0,
                                        size_t last = static_cast<size_t>(-1));

  // Tokens of the shared prefix in the last subject (0 without reuse), for reports and tests.
  int64_t last_prefix_tokens() const { return last_prefix_tokens_; }

 private:
  struct Item;
  Item prepare(const std::string& subject, const std::vector<MmluQuestion>& dev, int shots,
               const MmluQuestion& question, int64_t index) const;
  void score(Item& item, const KvCache* prefix, int64_t prefix_len);

  std::shared_ptr<const Model> model_;
  const Tokenizer& tokenizer_;
  MmluScoringOptions options_;
  std::unique_ptr<Session> session_;
  std::array<int64_t, 4> letter_ids_{};
  int64_t last_prefix_tokens_ = 0;
};

}  // namespace evalq
