// Config validation, the three decision rules, the checks read from kld/mmlu documents, and the
// chart SVG being well-formed enough to hold the expected marks.
#include <evalq/error.h>

#include <gtest/gtest.h>

#include "test_support.h"

#include "common/histograms.h"
#include "gate/decision.h"
#include "gate/gate_config.h"
#include "gate/gate_report.h"
#include "gate/likelihood_checks.h"
#include "gate/mmlu_check.h"

namespace evalq {
namespace {

using json = nlohmann::json;

json example_config() {
  return json::parse(R"({"data": "tinystories", "seq": 1024, "chunk": 512, "max_windows": null, "decide": "conservative",
    "checks": [{"metric": "ppl", "max_ratio": 1.03},
               {"metric": "kld", "max_mean": 0.05, "min_top1": 0.90, "max_p99": 1.0},
               {"metric": "mmlu", "data": "mmlu", "shots": 5, "subjects": "all", "limit": null, "max_drop_points": 1.0}]})");
}

std::string error_of(const json& config) {
  return evalq::test::error_of([&] { parse_gate_config(config, "gate.json"); });
}

TEST(GateConfig, ParsesTheIssueExample) {
  const GateConfig c = parse_gate_config(example_config(), "gate.json");
  ASSERT_EQ(c.checks.size(), 3u);
  EXPECT_EQ(c.likelihood, json::parse(R"({"data": "tinystories", "seq": 1024, "chunk": 512})"));
  EXPECT_EQ(c.checks[1].thresholds.size(), 3u);
  EXPECT_EQ(c.checks[1].thresholds[1].first, "min_top1");
  EXPECT_EQ(c.checks[2].options["shots"], 5);
  EXPECT_TRUE(c.checks[2].options["limit"].is_null());
  EXPECT_EQ(c.checks[0].decide, DecideRule::Conservative);
}

TEST(GateConfig, UnknownKeysNameTheirPath) {
  json c = example_config();
  c["checks"][1]["max_maen"] = 0.05;
  EXPECT_NE(error_of(c).find("unknown key 'checks[1].max_maen'"), std::string::npos) << error_of(c);
  c = example_config();
  c["max_window"] = 3;
  EXPECT_NE(error_of(c).find("unknown key 'max_window'"), std::string::npos) << error_of(c);
  c = example_config();
  c["checks"][2]["shot"] = 5;
  EXPECT_NE(error_of(c).find("unknown key 'checks[2].shot'"), std::string::npos) << error_of(c);
}

TEST(GateConfig, RejectsBadValues) {
  json c = example_config();
  c["decide"] = "optimistic";
  EXPECT_NE(error_of(c).find("unknown decision rule 'optimistic'"), std::string::npos) << error_of(c);
  c = example_config();
  c["checks"][1] = json::parse(R"({"metric": "kld"})");
  EXPECT_NE(error_of(c).find("sets no threshold"), std::string::npos) << error_of(c);
  c = example_config();
  c["checks"][0]["max_ratio"] = "1.03";
  EXPECT_NE(error_of(c).find("'checks[0].max_ratio' must be a number"), std::string::npos) << error_of(c);
  c = example_config();
  c["checks"][1]["min_top1"] = 90;
  EXPECT_NE(error_of(c).find("fraction"), std::string::npos) << error_of(c);
  c = example_config();
  c["checks"][0]["metric"] = "bleu";
  EXPECT_NE(error_of(c).find("unknown metric 'bleu'"), std::string::npos) << error_of(c);
  c = example_config();
  c.erase("data");
  EXPECT_NE(error_of(c).find("\"data\""), std::string::npos) << error_of(c);
  c = example_config();
  c["checks"] = json::array();
  EXPECT_NE(error_of(c).find("non-empty"), std::string::npos) << error_of(c);
}

TEST(Decision, ThreeRulesOnBothBounds) {
  const Interval ci{0.8, 1.2};
  // Upper-bounded quantity, threshold inside the interval: only the conservative rule fails.
  EXPECT_FALSE(decide(DecideRule::Conservative, Bound::Max, 1.0, ci, 1.1).pass);
  EXPECT_TRUE(decide(DecideRule::Point, Bound::Max, 1.0, ci, 1.1).pass);
  EXPECT_TRUE(decide(DecideRule::Significant, Bound::Max, 1.0, ci, 1.1).pass);
  // Threshold below the whole interval: every rule fails.
  EXPECT_FALSE(decide(DecideRule::Significant, Bound::Max, 1.0, ci, 0.7).pass);
  EXPECT_EQ(decide(DecideRule::Significant, Bound::Max, 1.0, ci, 0.7).decided_on, 0.8);
  // Lower-bounded quantity.
  EXPECT_FALSE(decide(DecideRule::Conservative, Bound::Min, 1.0, ci, 0.9).pass);
  EXPECT_EQ(decide(DecideRule::Conservative, Bound::Min, 1.0, ci, 0.9).basis, "lower 95% bound");
  EXPECT_TRUE(decide(DecideRule::Significant, Bound::Min, 1.0, ci, 0.9).pass);
  EXPECT_FALSE(decide(DecideRule::Significant, Bound::Min, 1.0, ci, 1.3).pass);
  // No interval: the point estimate, said so.
  const Decision d = decide(DecideRule::Conservative, Bound::Max, 1.0, std::nullopt, 1.1);
  EXPECT_TRUE(d.pass);
  EXPECT_EQ(d.basis, "point estimate (no CI)");
}

json kld_document() {
  return json::parse(R"({"windows": 3, "ln_ppl_ratio": 0.1, "ln_ppl_ratio_stderr": 0.01,
    "ln_ppl_ratio_stderr_jackknife": 0.02, "top1_agreement": 0.85, "top1_agreement_stderr": 0.004,
    "top1_agreement_stderr_jackknife": 0.01, "ppl_ratio": 1.1051709180756477,
    "kld": {"mean": 0.04, "stderr": 0.001, "stderr_jackknife": 0.006, "p99": 0.9, "median": 0.02, "p90": 0.1, "p99_9": 2.0},
    "window_results": [{"begin": 0, "end": 512, "targets": 255, "nll_base_sum": 300.0, "nll_quant_sum": 320.0},
                       {"begin": 256, "end": 768, "targets": 255, "nll_base_sum": 310.0, "nll_quant_sum": 335.0}]})");
}

TEST(LikelihoodChecks, UseTheJackknifeInterval) {
  const GateConfig c = parse_gate_config(example_config(), "gate.json");
  const json k = kld_document();
  const auto ppl = likelihood_outcomes(c.checks[0], k);
  ASSERT_EQ(ppl.size(), 1u);
  EXPECT_NEAR(ppl[0].estimate, std::exp(0.1), 1e-12);
  EXPECT_NEAR(ppl[0].ci95->hi, std::exp(0.1 + 1.959963984540054 * 0.02), 1e-12);
  EXPECT_FALSE(ppl[0].decision.pass);  // 1.105 > 1.03
  const auto kld = likelihood_outcomes(c.checks[1], k);
  ASSERT_EQ(kld.size(), 3u);
  EXPECT_EQ(kld[0].id, "kld.max_mean");
  EXPECT_NEAR(kld[0].decision.decided_on, 0.04 + 1.959963984540054 * 0.006, 1e-12);
  EXPECT_FALSE(kld[0].decision.pass);  // the mean 0.04 passes, its upper bound 0.0518 does not
  EXPECT_EQ(kld[1].bound, Bound::Min);
  EXPECT_NEAR(kld[1].decision.decided_on, 0.85 - 1.959963984540054 * 0.01, 1e-12);
  EXPECT_FALSE(kld[1].decision.pass);
  EXPECT_FALSE(kld[2].ci95.has_value());
  EXPECT_TRUE(kld[2].decision.pass);
}

TEST(LikelihoodChecks, OneWindowFallsBackToTheNaiveError) {
  const GateConfig c = parse_gate_config(example_config(), "gate.json");
  json k = kld_document();
  k["windows"] = 1;
  const auto kld = likelihood_outcomes(c.checks[1], k);
  EXPECT_NEAR(kld[0].ci95->hi, 0.04 + 1.959963984540054 * 0.001, 1e-12);
  EXPECT_NE(kld[0].ci_method.find("one window"), std::string::npos);
}

TEST(MmluCheck, DropAndItsIntervalFromThePairedDifference) {
  const GateConfig c = parse_gate_config(example_config(), "gate.json");
  const json r = json::parse(R"({"metric": "mmlu", "base": {"accuracy": 0.60}, "quant": {"accuracy": 0.585},
    "comparison": {"n": 14042, "accuracy_base": 0.60, "accuracy_quant": 0.585, "difference": -0.015, "stderr": 0.005,
                   "ci95": [-0.025, -0.005], "mcnemar_p": 0.01}})");
  const MmluComparison m = mmlu_comparison(r);
  EXPECT_NEAR(m.drop_points, 1.5, 1e-12);
  EXPECT_NEAR(m.drop_ci95_points.lo, 0.5, 1e-12);
  EXPECT_NEAR(m.drop_ci95_points.hi, 2.5, 1e-12);
  const CheckOutcome o = mmlu_outcome(c.checks[2], m);
  EXPECT_FALSE(o.decision.pass);
  EXPECT_NEAR(o.decision.decided_on, 2.5, 1e-12);
  EXPECT_EQ(m.questions, 14042);
  // "all" subjects and a null limit are the metric's defaults: not passed on.
  const MetricRequest req = mmlu_request(c.checks[2], {"base", {}}, {"quant", {}}, {{"data_dir", "/d"}});
  EXPECT_EQ(req.models.size(), 2u);
  EXPECT_EQ(req.options, json::parse(R"({"data": "mmlu", "shots": 5, "data_dir": "/d"})"));
  EXPECT_THROW(mmlu_comparison(json::parse(R"({"comparison": {}})")), Error);
}

TEST(LogHistogram, FixedEdgesAndOverflow) {
  LogHistogram h;
  h.add(0.0);
  h.add(1e-6);
  h.add(1.0);
  h.add(1e3);
  EXPECT_EQ(h.below, 1);
  EXPECT_EQ(h.above, 1);
  EXPECT_EQ(h.counts[0], 1);
  EXPECT_EQ(h.counts[6 * LogHistogram::kBinsPerDecade], 1);  // 1.0 starts decade 6 above 1e-6
  const json j = log_histogram_json(std::vector<double>{0.5, 0.5, 2e-3});
  int64_t total = 0;
  for (int64_t c : j["counts"].get<std::vector<int64_t>>()) total += c;
  EXPECT_EQ(total, 3);
}

TEST(Report, ChartsHoldTheirMarks) {
  json k = kld_document();
  k["kld"]["histogram"] = log_histogram_json(std::vector<double>{0.01, 0.02, 0.5, 0.9, 2.0});
  const std::string hist = kld_histogram_svg(k);
  EXPECT_EQ(hist.rfind("<svg", 0), 0u);
  EXPECT_NE(hist.find("p99 0.9"), std::string::npos);
  EXPECT_NE(hist.find("<polyline"), std::string::npos);
  const std::string win = window_ratio_svg(k, 1.03);
  EXPECT_NE(win.find("max_ratio 1.03"), std::string::npos);
  EXPECT_EQ(kld_histogram_svg(json()), "");
}

TEST(Report, MmluSubjectBars) {
  const json r = json::parse(R"({"base": {"subjects": {"anatomy": {"accuracy": 0.5, "stderr": 0.05},
                                                      "astronomy": {"accuracy": 0.6, "stderr": 0.04}}},
                                 "quant": {"subjects": {"anatomy": {"accuracy": 0.45, "stderr": 0.05},
                                                       "astronomy": {"accuracy": 0.62, "stderr": 0.04}}}})");
  const std::string svg = mmlu_subjects_svg(r);
  EXPECT_NE(svg.find(">anatomy</text>"), std::string::npos);
  EXPECT_NE(svg.find("#d98880"), std::string::npos);  // anatomy dropped
  EXPECT_NE(svg.find("#7aa6d6"), std::string::npos);  // astronomy rose
  EXPECT_EQ(mmlu_subjects_svg(json::object()), "");
}

}  // namespace
}  // namespace evalq
