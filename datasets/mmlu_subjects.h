#pragma once

// The 57 MMLU subjects and how the reference tools group them. hendrycks/test `categories.py`
// maps subject -> subcategory (17) -> category (4); lm-eval-harness groups subjects into its own
// four groups directly and differs in one place (anatomy: lm-eval stem, hendrycks health ->
// other), so both maps are kept.
#include <string>
#include <vector>

namespace evalq {

struct MmluSubject {
  std::string name;          // "abstract_algebra"
  std::string subcategory;   // hendrycks subcategory, e.g. "math"
  std::string category;      // hendrycks category: stem, humanities, social_sciences, other
  std::string lm_eval_group; // lm-eval group: stem, humanities, social_sciences, other
};

const std::vector<MmluSubject>& mmlu_subjects();
// nullptr when `name` is not one of the 57 subjects.
const MmluSubject* find_mmlu_subject(const std::string& name);
// "abstract_algebra" -> "abstract algebra".
std::string mmlu_subject_words(const std::string& name);

}  // namespace evalq
