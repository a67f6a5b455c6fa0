#pragma once

// Statistics for accuracy-type metrics (0/1 outcomes per question), as lm-eval-harness reports
// them, plus the paired comparison of two models on the same questions.
#include <cstdint>
#include <vector>

namespace evalq {

// lm-eval `mean_stderr`: sample standard deviation (n-1) / sqrt(n). 0 when n < 2.
double accuracy_stderr(int64_t correct, int64_t n);

// lm-eval `pooled_sample_stderr` over groups of sizes n_i with stderrs se_i:
// sqrt(sum (n_i-1) se_i^2 n_i / (sum n_i - k) / sum n_i). Groups with n_i = 0 are ignored.
double pooled_stderr(const std::vector<int64_t>& sizes, const std::vector<double>& stderrs);

// Stderr of an unweighted mean of k independent group means: sqrt(sum se_i^2) / k.
double macro_stderr(const std::vector<double>& stderrs);

// The 2x2 agreement table of two models' per-question correctness.
struct AgreementTable {
  int64_t both_correct = 0;
  int64_t base_only = 0;   // base right, quant wrong
  int64_t quant_only = 0;  // quant right, base wrong
  int64_t both_wrong = 0;
  int64_t n() const { return both_correct + base_only + quant_only + both_wrong; }
};

AgreementTable agreement_table(const std::vector<bool>& base, const std::vector<bool>& quant);

// McNemar's exact test: two-sided binomial p-value of the discordant pairs,
// min(1, 2 * P[X <= min(b, c)]) with X ~ Bin(b + c, 1/2); 1 when there are none.
double mcnemar_exact_p(int64_t b, int64_t c);

// Accuracy difference quant - base with a 95 % CI from the paired per-question differences
// (normal approximation, sample std of d_i in {-1, 0, 1}).
struct PairedDifference {
  double difference = 0;
  double standard_error = 0;
  double ci_low = 0, ci_high = 0;
};
PairedDifference paired_difference(const AgreementTable& table);

}  // namespace evalq
