#include "mmlu/aggregate.h"

#include "mmlu_subjects.h"

#include "mmlu/paired_stats.h"

#include <map>

namespace evalq {
namespace {

AccuracyGroup subject_group(const SubjectOutcome& o) {
  AccuracyGroup g;
  g.name = o.subject;
  g.n = static_cast<int64_t>(o.correct.size());
  for (bool c : o.correct) g.correct += c ? 1 : 0;
  g.accuracy = g.n ? static_cast<double>(g.correct) / g.n : 0;
  g.standard_error = accuracy_stderr(g.correct, g.n);
  return g;
}

// Micro accuracy of a set of subjects, with lm-eval's pooled stderr.
AccuracyGroup pool(const std::string& name, const std::vector<const AccuracyGroup*>& members) {
  AccuracyGroup g;
  g.name = name;
  std::vector<int64_t> sizes;
  std::vector<double> errors;
  for (const AccuracyGroup* m : members) {
    g.n += m->n;
    g.correct += m->correct;
    sizes.push_back(m->n);
    errors.push_back(m->standard_error);
  }
  g.accuracy = g.n ? static_cast<double>(g.correct) / g.n : 0;
  g.standard_error = pooled_stderr(sizes, errors);
  return g;
}

std::vector<AccuracyGroup> pool_by(const std::vector<AccuracyGroup>& subjects,
                                   std::string (*key)(const MmluSubject&)) {
  std::map<std::string, std::vector<const AccuracyGroup*>> members;
  for (const AccuracyGroup& s : subjects) {
    if (const MmluSubject* info = find_mmlu_subject(s.name)) members[key(*info)].push_back(&s);
  }
  std::vector<AccuracyGroup> groups;
  for (const auto& [name, list] : members) groups.push_back(pool(name, list));
  return groups;
}

}  // namespace

MmluAggregate aggregate_mmlu(const std::vector<SubjectOutcome>& outcomes, bool lm_eval_groups) {
  MmluAggregate a;
  for (const SubjectOutcome& o : outcomes) a.subjects.push_back(subject_group(o));
  a.subcategories = pool_by(a.subjects, [](const MmluSubject& s) { return s.subcategory; });
  a.categories = lm_eval_groups ? pool_by(a.subjects, [](const MmluSubject& s) { return s.lm_eval_group; })
                                : pool_by(a.subjects, [](const MmluSubject& s) { return s.category; });
  std::vector<const AccuracyGroup*> all;
  std::vector<double> errors;
  for (const AccuracyGroup& s : a.subjects) {
    all.push_back(&s);
    if (s.n == 0) continue;
    a.macro += s.accuracy;
    errors.push_back(s.standard_error);
  }
  a.micro = pool("overall", all);
  if (!errors.empty()) a.macro /= errors.size();
  a.macro_standard_error = macro_stderr(errors);
  return a;
}

}  // namespace evalq
