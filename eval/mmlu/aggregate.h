#pragma once

// Per-subject outcomes -> subject, hendrycks subcategory, category and overall accuracies
// (micro = pooled over questions as lm-eval and hendrycks report; macro = mean of subjects).
#include <cstdint>
#include <string>
#include <vector>

namespace evalq {

struct SubjectOutcome {
  std::string subject;
  std::vector<bool> correct;  // one per scored question (skipped questions are not in here)
};

struct AccuracyGroup {
  std::string name;
  int64_t n = 0;
  int64_t correct = 0;
  double accuracy = 0;
  double standard_error = 0;  // subject: sample std / sqrt(n); groups: lm-eval pooled stderr
};

struct MmluAggregate {
  std::vector<AccuracyGroup> subjects, subcategories, categories;
  AccuracyGroup micro;          // over all questions
  double macro = 0;             // unweighted mean of subject accuracies
  double macro_standard_error = 0;
};

// `lm_eval_groups` picks lm-eval's subject -> category map, otherwise hendrycks'. Subjects that
// are not among the 57 count in micro and macro only.
MmluAggregate aggregate_mmlu(const std::vector<SubjectOutcome>& outcomes, bool lm_eval_groups);

}  // namespace evalq
