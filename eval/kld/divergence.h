#pragma once

// The base model's distribution at one scored position and the per-token comparisons against a
// candidate's logits, all in double.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace evalq {

struct BaseDistribution {
  // log p(v) = values[i] - offset, for v = ids[i] (top-K) or v = i (ids empty: every token).
  std::vector<float> values;
  double offset = 0;
  std::vector<int32_t> ids;
  double tail_log_mass = -std::numeric_limits<double>::infinity();  // top-K: log(1 - sum of top-K p)
  int64_t argmax = 0;
  double target_log_prob = std::numeric_limits<double>::quiet_NaN();  // NaN when the row has no target

  bool full() const { return ids.empty(); }
  double log_prob_at(size_t i) const { return static_cast<double>(values[i]) - offset; }
};

// The base distribution from raw logits (log-softmax over the first `vocab` entries).
BaseDistribution base_from_logits(const float* logits, int64_t vocab, int64_t target);

// KL(base || q) with q = softmax(q_logits[0, vocab)), q_log_sum_exp its normalizer. Top-K bases
// compare on the top-K tokens plus one merged tail bucket (a lower bound of the full KL).
double kl_divergence(const BaseDistribution& base, const float* q_logits, double q_log_sum_exp, int64_t vocab);

// ModelOpt's quantity sum_v p(v) * |log p(v) - log q(v)| (A6); needs a full base.
double modelopt_abs_divergence(const BaseDistribution& base, const float* q_logits, double q_log_sum_exp,
                               int64_t vocab);

}  // namespace evalq
