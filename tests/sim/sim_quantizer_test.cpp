// The simulated quantization must produce exactly the weights the genuine tools write: ORT's
// MLAS quantizer (random weights, and the shared genai-int4 model) and ModelOpt's INT4 RTN (the
// shared qdq-int4 model); and a simulated model must compute exactly what the genuine one does.
#include <evalq/error.h>
#include <evalq/session.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "graph/sim_quantize.h"
#include "io/npy.h"
#include "io/onnx_loader.h"
#include "quant/weight_quantizer.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

fs::path shared() { return fs::path(std::getenv("EVALQ_SHARED_DIR")); }
fs::path models() { return shared() / "models" / "stories260K"; }

const Tensor& constant(const Graph& g, const std::string& name) {
  auto id = g.find_value(name);
  if (!id || !g.values[*id].constant.defined()) throw Error("no constant '" + name + "'");
  return g.values[*id].constant;
}

int64_t differing_bytes(const Tensor& a, const Tensor& b) {
  if (a.nbytes() != b.nbytes()) return -1;
  const auto* x = static_cast<const uint8_t*>(a.raw());
  const auto* y = static_cast<const uint8_t*>(b.raw());
  int64_t bad = 0;
  for (size_t i = 0; i < a.nbytes(); ++i) bad += x[i] != y[i];
  return bad;
}

TEST(SimQuantizer, BitExactWithOnnxRuntimesQuantizer) {
  fs::path dir = fs::path(std::getenv("EVALQ_TEST_WORK")) / "sim_quantizer";
  int cases = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    Tensor w = read_npy(e.path() / "w.npy");
    Tensor packed = read_npy(e.path() / "packed.npy");
    Tensor scales = read_npy(e.path() / "scales.npy");
    bool sym = !fs::exists(e.path() / "zero_points.npy");
    int bits = packed.dim(2) * 8 / (name.find("blk16") != std::string::npos ? 16 : name.find("blk32") != std::string::npos ? 32 : 128);
    int64_t block = packed.dim(2) * 8 / bits, K = w.dim(0), N = w.dim(1);
    NBitsWeight q = quantize_nbits_ort(w.data<float>(), K, N, bits, block, sym);
    ASSERT_EQ(differing_bytes(q.scales, scales), 0) << name << ": scales";
    // ORT leaves the K padding of the last block 0; evalq writes the zero point there as Model
    // Builder does. Those codes are never read, so only the codes of real rows are compared.
    const auto* got = q.packed.data<uint8_t>();
    const auto* want = packed.data<uint8_t>();
    const int64_t blocks = packed.dim(1), blob = packed.dim(2);
    int64_t bad = 0;
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t k = 0; k < K; ++k) {
        int64_t b = k / block, i = k % block;
        const int64_t at = (n * blocks + b) * blob;
        int g = bits == 8 ? got[at + i] : (got[at + i / 2] >> (4 * (i % 2))) & 0xF;
        int x = bits == 8 ? want[at + i] : (want[at + i / 2] >> (4 * (i % 2))) & 0xF;
        bad += g != x;
      }
    }
    EXPECT_EQ(bad, 0) << name << ": weight codes";
    if (!sym) {
      Tensor zp = read_npy(e.path() / "zero_points.npy");
      EXPECT_EQ(differing_bytes(q.zero_points.reshaped({q.zero_points.numel()}), zp), 0) << name << ": zero points";
    }
    ++cases;
  }
  EXPECT_EQ(cases, 36);
}

TEST(SimQuantizer, Int4SimulationOfGenaiFp32IsTheShippedGenaiInt4) {
  OnnxModel fp32 = load_onnx(models() / "genai-fp32" / "model.onnx");
  OnnxModel int4 = load_onnx(models() / "genai-int4" / "model.onnx");
  SimReport report = apply_sim_spec(*fp32.graph, parse_sim_spec("int4:block=32,act=int8"), "logits");
  EXPECT_EQ(report.quantized_count(), 36);
  EXPECT_TRUE(report.warnings.empty());
  int compared = 0;
  for (const auto& d : report.decisions) {
    for (const char* suffix : {"_Q4", "_scales"}) {
      const Tensor& got = constant(*fp32.graph, d.weight + suffix);
      const Tensor& want = constant(*int4.graph, d.weight + suffix);
      EXPECT_EQ(shape_string(got.shape()), shape_string(want.shape())) << d.weight << suffix;
      EXPECT_EQ(differing_bytes(got, want), 0) << d.weight << suffix;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 72);
  // The lm_head is recognized as the logits producer.
  EXPECT_TRUE(report.decisions.back().lm_head);
}

TEST(SimQuantizer, ModelOptSimulationOfOptimumIsTheShippedQdqInt4) {
  OnnxModel fp32 = load_onnx(models() / "optimum" / "model.onnx");
  OnnxModel qdq = load_onnx(models() / "qdq-int4" / "model.onnx");
  SimReport report = apply_sim_spec(*fp32.graph, parse_sim_spec("int4:block=32,algo=modelopt"), "logits");
  EXPECT_EQ(report.quantized_count(), 36);
  for (const auto& d : report.decisions) {
    for (const char* suffix : {"_i4", "_scale"}) {
      const Tensor& got = constant(*fp32.graph, d.weight + suffix);
      const Tensor& want = constant(*qdq.graph, d.weight + suffix);
      EXPECT_EQ(dtype_name(got.dtype()), dtype_name(want.dtype())) << d.weight << suffix;
      EXPECT_EQ(differing_bytes(got, want), 0) << d.weight << suffix;
    }
  }
}

TEST(SimModel, SimulatedLogitsEqualTheGenuineModel) {
  std::vector<int64_t> tokens;
  for (int i = 0; i < 64; ++i) tokens.push_back(1 + (i * 37) % 500);
  EngineOptions sim;
  sim.sim = "int4:block=32,act=int8";
  Session simulated(Model::load(models() / "genai-fp32", sim));
  Session genuine(Model::load(models() / "genai-int4"));
  Tensor a = simulated.forward(tokens).logits, b = genuine.forward(tokens).logits;
  ASSERT_EQ(a.numel(), b.numel());
  EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.nbytes()), 0) << "simulated and genuine int4 logits differ";
  EXPECT_EQ(simulated.model().sim_report().quantized_count(), 36);

  sim.sim = "int4:block=32,algo=modelopt";
  Session modelopt(Model::load(models() / "optimum", sim));
  Session qdq(Model::load(models() / "qdq-int4"));
  a = modelopt.forward(tokens).logits;
  b = qdq.forward(tokens).logits;
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max<double>(worst, std::fabs(a.data<float>()[i] - b.data<float>()[i]));
  EXPECT_EQ(worst, 0.0) << "simulated ModelOpt int4 and the qdq-int4 model differ";
}

TEST(SimModel, RulesSelectLayersAndWarnWhenUnused) {
  OnnxModel m = load_onnx(models() / "genai-fp32" / "model.onnx");
  SimReport r = apply_sim_spec(*m.graph,
                               parse_sim_spec("none@*lm_head*; int8:channel@first:1,*down_proj*; int4:block=16@last:1; "
                                              "fp8@*no_such_layer*"),
                               "logits");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("fp8@*no_such_layer*"), std::string::npos) << r.warnings[0];
  int kept = 0, int8 = 0, int4 = 0;
  for (const auto& d : r.decisions) {
    if (d.lm_head) {
      EXPECT_EQ(d.rule, 0);
    } else if (d.layer == 0 || d.node.find("down_proj") != std::string::npos) {
      EXPECT_EQ(d.rule, 1) << d.node;
      ++int8;
    } else if (d.layer == 4) {
      EXPECT_EQ(d.rule, 2) << d.node;
      ++int4;
    } else {
      EXPECT_EQ(d.rule, -1) << d.node;
      ++kept;
    }
  }
  EXPECT_EQ(int8, 7 + 4);
  EXPECT_EQ(int4, 6);
  EXPECT_EQ(kept, 18);
}

}  // namespace
