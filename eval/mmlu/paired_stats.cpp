#include "mmlu/paired_stats.h"

#include <evalq/error.h>

#include <algorithm>
#include <cmath>

#include "common/statistics.h"

namespace evalq {

double accuracy_stderr(int64_t correct, int64_t n) {
  if (n < 2) return 0;
  const double p = static_cast<double>(correct) / n;
  const double sample_var = p * (1 - p) * n / (n - 1);
  return std::sqrt(sample_var / n);
}

double pooled_stderr(const std::vector<int64_t>& sizes, const std::vector<double>& stderrs) {
  double numerator = 0;
  int64_t total = 0, groups = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) continue;
    numerator += (sizes[i] - 1) * stderrs[i] * stderrs[i] * sizes[i];
    total += sizes[i];
    ++groups;
  }
  if (total - groups <= 0) return 0;
  return std::sqrt(numerator / (total - groups) / total);
}

double macro_stderr(const std::vector<double>& stderrs) {
  if (stderrs.empty()) return 0;
  double sum = 0;
  for (double se : stderrs) sum += se * se;
  return std::sqrt(sum) / stderrs.size();
}

AgreementTable agreement_table(const std::vector<bool>& base, const std::vector<bool>& quant) {
  if (base.size() != quant.size()) {
    throw Error("paired comparison: " + std::to_string(base.size()) + " base answers vs " +
                std::to_string(quant.size()) + " quant answers");
  }
  AgreementTable t;
  for (size_t i = 0; i < base.size(); ++i) {
    if (base[i] && quant[i]) ++t.both_correct;
    else if (base[i]) ++t.base_only;
    else if (quant[i]) ++t.quant_only;
    else ++t.both_wrong;
  }
  return t;
}

double mcnemar_exact_p(int64_t b, int64_t c) {
  const int64_t n = b + c;
  if (n == 0) return 1.0;
  const int64_t k = std::min(b, c);
  // Sum of C(n, i) / 2^n for i <= k, in log space so that large n neither overflows nor underflows.
  double tail = 0;
  const double log_half_n = n * std::log(0.5);
  for (int64_t i = 0; i <= k; ++i) {
    const double log_term = std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) + log_half_n;
    tail += std::exp(log_term);
  }
  return std::min(1.0, 2 * tail);
}

PairedDifference paired_difference(const AgreementTable& t) {
  PairedDifference d;
  const int64_t n = t.n();
  if (n == 0) return d;
  // d_i = quant_i - base_i: +1 quant_only times, -1 base_only times, 0 otherwise.
  const double mean = static_cast<double>(t.quant_only - t.base_only) / n;
  d.difference = mean;
  if (n >= 2) {
    const double sum_sq = static_cast<double>(t.quant_only + t.base_only);
    const double var = (sum_sq - n * mean * mean) / (n - 1);
    d.standard_error = std::sqrt(std::max(0.0, var) / n);
  }
  const Interval ci = normal_ci95({mean, d.standard_error});
  d.ci_low = ci.lo;
  d.ci_high = ci.hi;
  return d;
}

}  // namespace evalq
