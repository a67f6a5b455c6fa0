#include "kld/divergence.h"

#include <evalq/error.h>

#include "common/row_stats.h"

namespace evalq {

BaseDistribution base_from_logits(const float* logits, int64_t vocab, int64_t target) {
  const RowStats stats = row_stats(logits, vocab);
  BaseDistribution d;
  d.values.assign(logits, logits + vocab);
  d.offset = stats.log_sum_exp;
  d.argmax = stats.argmax;
  if (target >= 0) d.target_log_prob = log_prob(logits, stats, target);
  return d;
}

double kl_divergence(const BaseDistribution& base, const float* q_logits, double q_log_sum_exp, int64_t vocab) {
  double kl = 0;
  if (base.full()) {
    if (static_cast<int64_t>(base.values.size()) != vocab) {
      throw Error("base distribution has " + std::to_string(base.values.size()) + " tokens, the candidate " +
                  std::to_string(vocab));
    }
    for (int64_t v = 0; v < vocab; ++v) {
      const double lp = base.log_prob_at(v);
      const double lq = static_cast<double>(q_logits[v]) - q_log_sum_exp;
      kl += std::exp(lp) * (lp - lq);
    }
    return kl;
  }
  double q_top = 0;
  for (size_t i = 0; i < base.ids.size(); ++i) {
    const int32_t v = base.ids[i];
    if (v < 0 || v >= vocab) throw Error("base top-K token id " + std::to_string(v) + " is outside the vocabulary");
    const double lp = base.log_prob_at(i);
    const double lq = static_cast<double>(q_logits[v]) - q_log_sum_exp;
    q_top += std::exp(lq);
    kl += std::exp(lp) * (lp - lq);
  }
  if (std::isfinite(base.tail_log_mass)) {
    // The candidate's tail mass, floored so that a candidate concentrating everything on the
    // top-K tokens gives a large but finite divergence.
    const double q_tail = std::max(1.0 - q_top, 1e-30);
    kl += std::exp(base.tail_log_mass) * (base.tail_log_mass - std::log(q_tail));
  }
  return kl;
}

double modelopt_abs_divergence(const BaseDistribution& base, const float* q_logits, double q_log_sum_exp,
                               int64_t vocab) {
  if (!base.full()) throw Error("--method modelopt-kld needs the full base distribution, not a top-K cache");
  double d = 0;
  for (int64_t v = 0; v < vocab; ++v) {
    const double lp = base.log_prob_at(v);
    const double lq = static_cast<double>(q_logits[v]) - q_log_sum_exp;
    d += std::exp(lp) * std::abs(lp - lq);
  }
  return d;
}

}  // namespace evalq
