// MMLU building blocks without a model: CSV records, the question-file layouts, prompts,
// aggregation and the paired statistics, plus the errors bad input must give.
#include <evalq/error.h>

#include <gtest/gtest.h>

#include "metric.h"
#include "mmlu/aggregate.h"
#include "mmlu/paired_stats.h"
#include "mmlu/prompt.h"
#include "mmlu_csv.h"
#include "mmlu_subjects.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include "test_support.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

using evalq::test::error_of;

fs::path work_dir(const std::string& name) {
  const fs::path dir = evalq::test::scratch_dir("mmlu_unit", name);
  fs::create_directories(dir / "dev");
  fs::create_directories(dir / "test");
  return dir;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST(MmluCsv, QuotedFieldsNewlinesQuotesAndCrlf) {
  auto records = parse_csv("a,\"b, \"\"c\"\"\nd\",e\r\n\"\xC3\xA9t\xC3\xA9\",,x\n", "t.csv");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b, \"c\"\nd", "e"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"\xC3\xA9t\xC3\xA9", "", "x"}));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 3);
}

TEST(MmluCsv, ErrorsNameFileAndLine) {
  EXPECT_NE(error_of([] { parse_csv("a,b\n\"open,c\n", "x.csv"); }).find("x.csv:2: quoted field is never closed"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_csv("a,\"b\"c\n", "x.csv"); }).find("x.csv:1: unexpected text after a closing quote"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_csv("ok\nbad \xFF\n", "x.csv"); }).find("x.csv:2: invalid UTF-8"), std::string::npos);
}

TEST(MmluCsv, BothLayoutsAndBadRows) {
  fs::path dir = work_dir("layouts");
  write(dir / "h.csv", "question,choice0,choice1,choice2,choice3,answer\nQ?,a,b,c,d,2\n");
  write(dir / "n.csv", "\"Q\nmulti\",a,b,c,d,D\n");
  auto h = read_mmlu_csv(dir / "h.csv");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].answer, 2);
  EXPECT_EQ(h[0].line, 2);
  auto n = read_mmlu_csv(dir / "n.csv");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].question, "Q\nmulti");
  EXPECT_EQ(n[0].answer, 3);

  write(dir / "short.csv", "Q,a,b,c,d,A\nQ2,a,b,c,D\n");
  EXPECT_NE(error_of([&] { read_mmlu_csv(dir / "short.csv"); }).find("short.csv:2: expected 6 fields"), std::string::npos);
  write(dir / "answer.csv", "Q,a,b,c,d,A\n\"two\nlines\",a,b,c,d,E\n");
  EXPECT_NE(error_of([&] { read_mmlu_csv(dir / "answer.csv"); }).find("answer.csv:2: answer 'E' is not one of A-D"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_mmlu_csv(dir / "missing.csv"); }).find("missing.csv: cannot open"), std::string::npos);
}

TEST(MmluSubjects, FiftySevenSubjectsFourCategories) {
  ASSERT_EQ(mmlu_subjects().size(), 57u);
  std::set<std::string> cats, groups;
  for (const auto& s : mmlu_subjects()) {
    cats.insert(s.category);
    groups.insert(s.lm_eval_group);
  }
  EXPECT_EQ(cats, (std::set<std::string>{"humanities", "other", "social_sciences", "stem"}));
  EXPECT_EQ(groups, cats);
  EXPECT_EQ(find_mmlu_subject("anatomy")->category, "other");
  EXPECT_EQ(find_mmlu_subject("anatomy")->lm_eval_group, "stem");
  EXPECT_EQ(find_mmlu_subject("high_school_us_history")->subcategory, "history");
}

TEST(MmluPrompt, LmEvalAndHendrycksText) {
  MmluQuestion dev{" Shot q \n", {"a", "b", "c", "d"}, 1, 1};
  MmluQuestion test{"Test q\n", {"w", "x", "y", "z"}, 3, 1};
  MmluPrompt p = mmlu_prompt(MmluProtocol::LmEval, "abstract_algebra", {dev}, 1, test, 0);
  EXPECT_EQ(p.context,
            "The following are multiple choice questions (with answers) about abstract algebra.\n\n"
            "Shot q\nA. a\nB. b\nC. c\nD. d\nAnswer: B\n\n"
            "Test q\nA. w\nB. x\nC. y\nD. z\nAnswer:");
  EXPECT_EQ(p.continuations[0], " A");
  EXPECT_EQ(p.gold, 3);
  MmluPrompt h = mmlu_prompt(MmluProtocol::Hendrycks, "abstract_algebra", {dev}, 1, test, 0);
  EXPECT_EQ(h.context,
            "The following are multiple choice questions (with answers) about  abstract algebra.\n\n"
            " Shot q \n\nA. a\nB. b\nC. c\nD. d\nAnswer: B\n\n"
            "Test q\n\nA. w\nB. x\nC. y\nD. z\nAnswer:");
  EXPECT_EQ(h.continuations[0], "A");
  EXPECT_NE(error_of([&] { mmlu_prompt(MmluProtocol::LmEval, "anatomy", {}, 1, test, 0); }).find("dev file has 0 rows"),
            std::string::npos);
}

TEST(MmluAggregate, MicroVersusMacroOnThreeSubjects) {
  // 10 questions at 90 %, 40 at 50 %, 50 at 20 %: micro = 39/100, macro = (0.9+0.5+0.2)/3.
  auto outcome = [](const std::string& name, int n, int correct) {
    SubjectOutcome o{name, {}};
    for (int i = 0; i < n; ++i) o.correct.push_back(i < correct);
    return o;
  };
  std::vector<SubjectOutcome> outcomes = {outcome("abstract_algebra", 10, 9), outcome("anatomy", 40, 20),
                                          outcome("philosophy", 50, 10)};
  MmluAggregate a = aggregate_mmlu(outcomes, true);
  EXPECT_DOUBLE_EQ(a.micro.accuracy, 0.39);
  EXPECT_EQ(a.micro.n, 100);
  EXPECT_NEAR(a.macro, (0.9 + 0.5 + 0.2) / 3, 1e-15);
  // Subject stderr: sample std / sqrt(n) = sqrt(p(1-p)/(n-1)).
  EXPECT_NEAR(a.subjects[0].standard_error, std::sqrt(0.9 * 0.1 / 9), 1e-15);
  // lm-eval groups: abstract_algebra and anatomy are both stem (hendrycks: anatomy is other).
  ASSERT_EQ(a.categories.size(), 2u);
  EXPECT_EQ(a.categories[1].name, "stem");
  EXPECT_EQ(a.categories[1].n, 50);
  EXPECT_DOUBLE_EQ(a.categories[1].accuracy, 29.0 / 50);
  MmluAggregate h = aggregate_mmlu(outcomes, false);
  EXPECT_EQ(h.categories.size(), 3u);
  // lm-eval pooled stderr by hand: sum (n_i-1) se_i^2 n_i / (N - k) / N.
  double se1 = std::sqrt(0.09 / 9), se2 = std::sqrt(0.25 / 39), se3 = std::sqrt(0.16 / 49);
  double pooled = std::sqrt((9 * se1 * se1 * 10 + 39 * se2 * se2 * 40 + 49 * se3 * se3 * 50) / 97.0 / 100.0);
  EXPECT_NEAR(a.micro.standard_error, pooled, 1e-15);
  EXPECT_NEAR(a.macro_standard_error, std::sqrt(se1 * se1 + se2 * se2 + se3 * se3) / 3, 1e-15);
}

TEST(MmluPairedStats, McNemarExactOnKnownTables) {
  // b=1, c=9: 2 * P[X<=1 | n=10] = 2 * 11/1024.
  EXPECT_NEAR(mcnemar_exact_p(1, 9), 22.0 / 1024, 1e-15);
  EXPECT_NEAR(mcnemar_exact_p(9, 1), 22.0 / 1024, 1e-15);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(5, 5), 1.0);
  // b=0, c=6: 2 / 64.
  EXPECT_NEAR(mcnemar_exact_p(0, 6), 2.0 / 64, 1e-15);
  // b=10, c=20: 2 * sum_{i<=10} C(30,i) / 2^30 = 2 * 53009102 / 1073741824.
  EXPECT_NEAR(mcnemar_exact_p(10, 20), 2 * 53009102.0 / 1073741824.0, 1e-12);
  // Large tables stay finite: b=400, c=500.
  double p = mcnemar_exact_p(400, 500);
  EXPECT_GT(p, 0);
  EXPECT_LT(p, 0.01);
}

TEST(MmluPairedStats, AgreementTableAndPairedDifference) {
  std::vector<bool> base = {true, true, true, false, false, true};
  std::vector<bool> quant = {true, false, false, true, false, true};
  AgreementTable t = agreement_table(base, quant);
  EXPECT_EQ(t.both_correct, 2);
  EXPECT_EQ(t.base_only, 2);
  EXPECT_EQ(t.quant_only, 1);
  EXPECT_EQ(t.both_wrong, 1);
  PairedDifference d = paired_difference(t);
  // d = {0,-1,-1,1,0,0}: mean -1/6, sample variance (3 - 6/36) / 5.
  EXPECT_NEAR(d.difference, -1.0 / 6, 1e-15);
  EXPECT_NEAR(d.standard_error, std::sqrt((3 - 6.0 / 36) / 5 / 6), 1e-15);
  EXPECT_NEAR(d.ci_high - d.ci_low, 2 * 1.959963984540054 * d.standard_error, 1e-12);
  EXPECT_THROW(agreement_table({true}, {}), Error);
}

TEST(MmluBadInput, MissingFilesDevRowsAndAnswers) {
  fs::path dir = work_dir("bad");
  write(dir / "test" / "anatomy_test.csv", "Q,a,b,c,d,A\n");
  write(dir / "dev" / "anatomy_dev.csv", "");
  auto metric = MetricRegistry::instance().create("mmlu");
  MetricRequest request;
  request.models.push_back({"unused-model", {}});
  request.options = {{"data", dir.string()}, {"subjects", "virology"}};
  EXPECT_NE(error_of([&] { metric->run(request); }).find("subject 'virology': missing file"), std::string::npos);
  request.options = {{"data", dir.string()}, {"subjects", "anatomy"}, {"shots", 5}};
  EXPECT_NE(error_of([&] { metric->run(request); }).find("5 shots asked but"), std::string::npos);
  request.options = {{"data", dir.string()}, {"subjects", "anatomy"}, {"shots", 1}, {"typo", 1}};
  EXPECT_NE(error_of([&] { metric->run(request); }).find("unknown option 'typo'"), std::string::npos);
  write(dir / "test" / "anatomy_test.csv", "Q,a,b,c,d,A\nQ,a,b,c,d,7\n");
  request.options = {{"data", dir.string()}, {"subjects", "anatomy"}, {"shots", 0}};
  EXPECT_NE(error_of([&] { metric->run(request); }).find("anatomy_test.csv:2: answer '7'"), std::string::npos);
}
