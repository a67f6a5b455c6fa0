#include "mmlu_subjects.h"

namespace evalq {

const std::vector<MmluSubject>& mmlu_subjects() {
  // subject, hendrycks subcategory, hendrycks category, lm-eval group
  static const std::vector<MmluSubject> subjects = {
      {"abstract_algebra", "math", "stem", "stem"},
      {"anatomy", "health", "other", "stem"},
      {"astronomy", "physics", "stem", "stem"},
      {"business_ethics", "business", "other", "other"},
      {"clinical_knowledge", "health", "other", "other"},
      {"college_biology", "biology", "stem", "stem"},
      {"college_chemistry", "chemistry", "stem", "stem"},
      {"college_computer_science", "computer science", "stem", "stem"},
      {"college_mathematics", "math", "stem", "stem"},
      {"college_medicine", "health", "other", "other"},
      {"college_physics", "physics", "stem", "stem"},
      {"computer_security", "computer science", "stem", "stem"},
      {"conceptual_physics", "physics", "stem", "stem"},
      {"econometrics", "economics", "social_sciences", "social_sciences"},
      {"electrical_engineering", "engineering", "stem", "stem"},
      {"elementary_mathematics", "math", "stem", "stem"},
      {"formal_logic", "philosophy", "humanities", "humanities"},
      {"global_facts", "other", "other", "other"},
      {"high_school_biology", "biology", "stem", "stem"},
      {"high_school_chemistry", "chemistry", "stem", "stem"},
      {"high_school_computer_science", "computer science", "stem", "stem"},
      {"high_school_european_history", "history", "humanities", "humanities"},
      {"high_school_geography", "geography", "social_sciences", "social_sciences"},
      {"high_school_government_and_politics", "politics", "social_sciences", "social_sciences"},
      {"high_school_macroeconomics", "economics", "social_sciences", "social_sciences"},
      {"high_school_mathematics", "math", "stem", "stem"},
      {"high_school_microeconomics", "economics", "social_sciences", "social_sciences"},
      {"high_school_physics", "physics", "stem", "stem"},
      {"high_school_psychology", "psychology", "social_sciences", "social_sciences"},
      {"high_school_statistics", "math", "stem", "stem"},
      {"high_school_us_history", "history", "humanities", "humanities"},
      {"high_school_world_history", "history", "humanities", "humanities"},
      {"human_aging", "health", "other", "other"},
      {"human_sexuality", "culture", "social_sciences", "social_sciences"},
      {"international_law", "law", "humanities", "humanities"},
      {"jurisprudence", "law", "humanities", "humanities"},
      {"logical_fallacies", "philosophy", "humanities", "humanities"},
      {"machine_learning", "computer science", "stem", "stem"},
      {"management", "business", "other", "other"},
      {"marketing", "business", "other", "other"},
      {"medical_genetics", "health", "other", "other"},
      {"miscellaneous", "other", "other", "other"},
      {"moral_disputes", "philosophy", "humanities", "humanities"},
      {"moral_scenarios", "philosophy", "humanities", "humanities"},
      {"nutrition", "health", "other", "other"},
      {"philosophy", "philosophy", "humanities", "humanities"},
      {"prehistory", "history", "humanities", "humanities"},
      {"professional_accounting", "other", "other", "other"},
      {"professional_law", "law", "humanities", "humanities"},
      {"professional_medicine", "health", "other", "other"},
      {"professional_psychology", "psychology", "social_sciences", "social_sciences"},
      {"public_relations", "politics", "social_sciences", "social_sciences"},
      {"security_studies", "politics", "social_sciences", "social_sciences"},
      {"sociology", "culture", "social_sciences", "social_sciences"},
      {"us_foreign_policy", "politics", "social_sciences", "social_sciences"},
      {"virology", "health", "other", "other"},
      {"world_religions", "philosophy", "humanities", "humanities"},
  };
  return subjects;
}

const MmluSubject* find_mmlu_subject(const std::string& name) {
  for (const auto& s : mmlu_subjects()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string mmlu_subject_words(const std::string& name) {
  std::string words = name;
  for (char& c : words) {
    if (c == '_') c = ' ';
  }
  return words;
}

}  // namespace evalq
