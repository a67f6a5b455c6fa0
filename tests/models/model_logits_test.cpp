// Whole-model logits against ONNX Runtime for every case in models.json (reference logits made
// by ort_logits.py): one full window and a past-split run continuing the returned KV cache.
#include <evalq/error.h>
#include <evalq/session.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/npy.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

using evalq::test::env;

nlohmann::json manifest() {
  return nlohmann::json::parse(std::ifstream(fs::path(env("EVALQ_SOURCE_DIR")) / "tests/models/models.json"));
}

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  // Without the manifest one case runs and fails (reading it), rather than none passing.
  if (env("EVALQ_SOURCE_DIR").empty()) return {"missing_manifest"};
  const nlohmann::json m = manifest();
  for (const auto& c : m["cases"]) out.push_back(c["name"].get<std::string>());
  return out;
}

nlohmann::json case_spec(const std::string& name) {
  const nlohmann::json m = manifest();
  for (const auto& c : m["cases"]) {
    if (c["name"] == name) return c;
  }
  throw Error("no case " + name + " in models.json");
}

fs::path model_path(const std::string& p) {
  if (p.rfind("work:", 0) == 0) return fs::path(env("EVALQ_TEST_WORK")) / p.substr(5);
  return fs::path(env("EVALQ_SHARED_DIR")) / p;
}

struct Agreement {
  double max_abs = 0;
  double mean_kl = 0;  // KL(reference || ours) per token, nats
  double top1 = 0;     // fraction of tokens with the same argmax
};

Agreement compare(const Tensor& ref, const Tensor& ours) {
  const int64_t n = ref.dim(0), v = ref.dim(1);
  Agreement a;
  int64_t same = 0;
  for (int64_t t = 0; t < n; ++t) {
    const float* r = ref.data<float>() + t * v;
    const float* o = ours.data<float>() + t * v;
    double rmax = r[0], omax = o[0];
    int64_t rarg = 0, oarg = 0;
    for (int64_t i = 0; i < v; ++i) {
      a.max_abs = std::max(a.max_abs, static_cast<double>(std::fabs(r[i] - o[i])));
      if (r[i] > rmax) rmax = r[i], rarg = i;
      if (o[i] > omax) omax = o[i], oarg = i;
    }
    same += rarg == oarg;
    double rs = 0, os = 0;
    for (int64_t i = 0; i < v; ++i) rs += std::exp(r[i] - rmax), os += std::exp(o[i] - omax);
    double rl = rmax + std::log(rs), ol = omax + std::log(os), kl = 0;
    for (int64_t i = 0; i < v; ++i) {
      double lp = r[i] - rl, lq = o[i] - ol;
      kl += std::exp(lp) * (lp - lq);
    }
    a.mean_kl += kl / n;
  }
  a.top1 = static_cast<double>(same) / n;
  return a;
}

void expect_agreement(const nlohmann::json& c, const Tensor& ref, const Tensor& ours, const std::string& run) {
  ASSERT_EQ(shape_string(ref.shape()), shape_string(ours.shape())) << run;
  Agreement a = compare(ref, ours);
  std::string detail = run + ": max |diff| " + std::to_string(a.max_abs) + ", mean KL " + std::to_string(a.mean_kl) +
                       ", top-1 agreement " + std::to_string(a.top1);
  if (c["check"] == "maxabs") {
    EXPECT_LE(a.max_abs, c["tol"].get<double>()) << detail;
  } else {
    EXPECT_LE(a.mean_kl, c["kl"].get<double>()) << detail;
    EXPECT_GE(a.top1, c["top1"].get<double>()) << detail;
  }
  std::cout << "[ info ] " << c["name"].get<std::string>() << " " << detail << "\n";
}

class ModelLogits : public ::testing::TestWithParam<std::string> {};

// The manifest is read through EVALQ_SOURCE_DIR, which only ctest sets: guard against an empty
// parameter list passing vacuously.
TEST(ModelLogitsManifest, ListsCases) { EXPECT_FALSE(case_names().empty()) << "EVALQ_SOURCE_DIR unset or models.json empty"; }

TEST_P(ModelLogits, MatchesOnnxRuntime) {
  const nlohmann::json c = case_spec(GetParam());
  fs::path ref_dir = fs::path(env("EVALQ_TEST_WORK")) / "models" / c["name"].get<std::string>();
  Tensor tokens = read_npy(ref_dir / "tokens.npy");
  std::vector<int64_t> ids(tokens.data<int64_t>(), tokens.data<int64_t>() + tokens.numel());
  const int64_t split = 120;

  EngineOptions options;
  options.numerics = parse_numerics(c["numerics"].get<std::string>());
  Session session(Model::load(model_path(c["model"]), options));

  expect_agreement(c, read_npy(ref_dir / "logits_full.npy"), session.forward(ids).logits, "full window");

  std::span<const int64_t> all(ids);
  ForwardResult first = session.forward(all.first(split));
  ForwardResult second = session.forward(all.subspan(split), &first.present);
  Tensor joined = Tensor::empty(DType::Float32, {static_cast<int64_t>(ids.size()), first.logits.dim(1)});
  std::memcpy(joined.mutable_data<float>(), first.logits.data<float>(), first.logits.nbytes());
  std::memcpy(joined.mutable_data<float>() + first.logits.numel(), second.logits.data<float>(), second.logits.nbytes());
  expect_agreement(c, read_npy(ref_dir / "logits_split.npy"), joined, "past split at 120");

  // Selected rows come back in the order asked for, equal to the same rows of a full run.
  std::vector<int64_t> rows{199, 0, 57};
  Tensor full = session.forward(ids).logits;
  Tensor picked = session.forward(ids, nullptr, rows, false).logits;
  ASSERT_EQ(shape_string(picked.shape()), shape_string(Shape{3, full.dim(1)}));
  for (size_t r = 0; r < rows.size(); ++r) {
    for (int64_t v = 0; v < full.dim(1); ++v) {
      ASSERT_NEAR(picked.data<float>()[r * full.dim(1) + v], full.data<float>()[rows[r] * full.dim(1) + v], 1e-5)
          << "row " << rows[r];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ort, ModelLogits, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
