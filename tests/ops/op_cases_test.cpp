// Runs every case written by gen_op_cases.py through evalq and compares with ONNX Runtime's
// outputs: same shapes and dtypes, values within atol + rtol * |expected| (NaN must match NaN).
#include <evalq/error.h>
#include <evalq/session.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "io/npy.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

fs::path cases_dir() {
  const char* work = std::getenv("EVALQ_TEST_WORK");
  return fs::path(work ? work : ".") / "ops";
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (!fs::exists(cases_dir())) return names;
  for (const auto& e : fs::directory_iterator(cases_dir())) {
    if (fs::exists(e.path() / "case.json")) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

double as_double(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::Float32: return t.data<float>()[i];
    case DType::Float64: return t.data<double>()[i];
    case DType::Float16: return half_to_float(t.data<uint16_t>()[i]);
    case DType::Int64: return static_cast<double>(t.data<int64_t>()[i]);
    case DType::Int32: return t.data<int32_t>()[i];
    case DType::Int16: return t.data<int16_t>()[i];
    case DType::Int8: return t.data<int8_t>()[i];
    case DType::UInt8: case DType::Bool: return t.data<uint8_t>()[i];
    case DType::UInt16: return t.data<uint16_t>()[i];
    case DType::UInt32: return t.data<uint32_t>()[i];
    case DType::UInt64: return static_cast<double>(t.data<uint64_t>()[i]);
    default: throw Error("cannot compare dtype " + dtype_name(t.dtype()));
  }
}

class OpCase : public ::testing::TestWithParam<std::string> {};

// Guards against the generator writing nothing and every parameterized case vanishing.
TEST(OpCases, WereGenerated) { EXPECT_FALSE(case_names().empty()) << "no cases in " << cases_dir(); }

TEST_P(OpCase, MatchesOnnxRuntime) {
  fs::path dir = cases_dir() / GetParam();
  nlohmann::json spec = nlohmann::json::parse(std::ifstream(dir / "case.json"));
  double atol = spec["atol"], rtol = spec["rtol"];

  Session session(Model::load(dir / "model.onnx"));
  std::map<std::string, Tensor> feeds;
  for (const auto& in : spec["inputs"]) feeds[in["name"]] = read_npy(dir / in["file"].get<std::string>());
  auto outputs = session.run(feeds);

  for (const auto& out : spec["outputs"]) {
    std::string name = out["name"];
    Tensor expected = read_npy(dir / out["file"].get<std::string>());
    ASSERT_TRUE(outputs.count(name)) << "missing output " << name;
    const Tensor& got = outputs[name];
    ASSERT_EQ(dtype_name(got.dtype()), dtype_name(expected.dtype())) << "output " << name;
    ASSERT_EQ(shape_string(got.shape()), shape_string(expected.shape())) << "output " << name;
    int64_t bad = 0, first_bad = -1;
    double worst = 0;
    for (int64_t i = 0; i < expected.numel(); ++i) {
      double e = as_double(expected, i), g = as_double(got, i);
      if (std::isnan(e) && std::isnan(g)) continue;
      if (std::isinf(e) && e == g) continue;
      double err = std::fabs(e - g);
      if (!(err <= atol + rtol * std::fabs(e))) {
        if (first_bad < 0) first_bad = i;
        ++bad;
      }
      if (err > worst || std::isnan(err)) worst = err;
    }
    EXPECT_EQ(bad, 0) << "output " << name << ": " << bad << " of " << expected.numel()
                      << " elements out of tolerance; first at flat index " << first_bad << " (expected "
                      << (first_bad >= 0 ? as_double(expected, first_bad) : 0) << ", got "
                      << (first_bad >= 0 ? as_double(got, first_bad) : 0) << "), max abs error " << worst;
  }
}

INSTANTIATE_TEST_SUITE_P(Ort, OpCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpCase);

}  // namespace
