// MatMulNBits models whose attributes and packed inputs disagree must fail at load with one
// evalq::Error naming the node and what was expected — never crash or read out of bounds.
#include <evalq/error.h>
#include <evalq/session.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace evalq;

namespace {

struct NBitsSpec {
  int64_t K = 64, N = 8, bits = 4, block_size = 32, accuracy_level = 4;
  int64_t b_bytes = 8 * 2 * 16;                // [N, n_blocks, blob]
  std::vector<int64_t> b_dims = {8, 2, 16};
  int64_t scales = 16;
  int64_t zero_point_bytes = -1;               // -1: no zero_points input
};

onnx::TensorProto initializer(const std::string& name, int type, const std::vector<int64_t>& dims, int64_t bytes) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(static_cast<size_t>(bytes), '\x11'));
  return t;
}

fs::path save_model(const NBitsSpec& s, const std::string& name) {
  onnx::ModelProto m;
  m.set_ir_version(10);
  auto* op = m.add_opset_import();
  op->set_version(21);
  auto* ms = m.add_opset_import();
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* node = g->add_node();
  node->set_op_type("MatMulNBits");
  node->set_domain("com.microsoft");
  node->set_name("proj_Q4");
  node->add_input(std::string("A"));
  node->add_input(std::string("B"));
  node->add_input(std::string("scales"));
  const std::string output = "Y";
  node->add_output(output);
  for (auto [key, value] : {std::pair<const char*, int64_t>{"K", s.K}, {"N", s.N}, {"bits", s.bits},
                            {"block_size", s.block_size}, {"accuracy_level", s.accuracy_level}}) {
    auto* a = node->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  *g->add_initializer() = initializer("B", onnx::TensorProto::UINT8, s.b_dims, s.b_bytes);
  *g->add_initializer() = initializer("scales", onnx::TensorProto::FLOAT, {s.scales}, s.scales * 4);
  if (s.zero_point_bytes >= 0) {
    node->add_input("zero_points");
    *g->add_initializer() = initializer("zero_points", onnx::TensorProto::UINT8, {s.zero_point_bytes}, s.zero_point_bytes);
  }
  auto* in = g->add_input();
  in->set_name("A");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(1);
  tt->mutable_shape()->add_dim()->set_dim_value(s.K);
  g->add_output()->set_name("Y");

  const char* work = std::getenv("EVALQ_TEST_WORK");
  fs::path dir = fs::path(work ? work : fs::temp_directory_path().string()) / "quant_bad_input";
  fs::create_directories(dir);
  fs::path path = dir / (name + ".onnx");
  std::ofstream(path, std::ios::binary) << m.SerializeAsString();
  return path;
}

std::string load_error(const NBitsSpec& s, const std::string& name) {
  try {
    Model::load(save_model(s, name));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_error(const NBitsSpec& s, const std::string& name, const std::vector<std::string>& parts) {
  const std::string err = load_error(s, name);
  ASSERT_FALSE(err.empty()) << name << " loaded without error";
  EXPECT_NE(err.find("proj_Q4"), std::string::npos) << err;
  for (const auto& p : parts) EXPECT_NE(err.find(p), std::string::npos) << "missing '" << p << "' in: " << err;
}

TEST(MatMulNBitsBadInput, ConsistentModelLoads) { EXPECT_EQ(load_error(NBitsSpec{}, "good"), ""); }

TEST(MatMulNBitsBadInput, InconsistentKAndBlocks) {
  NBitsSpec s;
  s.K = 96;  // needs 3 blocks of 32, B has 2
  expect_error(s, "k_blocks", {"B holds 256 bytes", "[8, 3, 16]"});
}

TEST(MatMulNBitsBadInput, InconsistentN) {
  NBitsSpec s;
  s.N = 4;
  s.b_bytes = 4 * 2 * 16;
  s.b_dims = {8, 1, 16};
  s.scales = 8;
  expect_error(s, "n_mismatch", {"B shape", "[4, 2, 16]"});
}

TEST(MatMulNBitsBadInput, TruncatedPackedWeights) {
  NBitsSpec s;
  s.b_bytes = 8 * 2 * 16 - 16;
  s.b_dims = {8, 2, 15};
  expect_error(s, "truncated", {"truncated packed weights"});
}

TEST(MatMulNBitsBadInput, ScaleCountMismatch) {
  NBitsSpec s;
  s.scales = 15;
  expect_error(s, "scales", {"scales has 15 values", "N * n_blocks"});
}

TEST(MatMulNBitsBadInput, ZeroPointCountMismatch) {
  NBitsSpec s;
  s.zero_point_bytes = 9;  // 8 columns × 1 byte (two 4-bit zero points)
  expect_error(s, "zero_points", {"zero_points has 9 bytes", "8"});
}

TEST(MatMulNBitsBadInput, UnknownAccuracyLevel) {
  NBitsSpec s;
  s.accuracy_level = 7;
  expect_error(s, "accuracy", {"accuracy_level must be 0..4, got 7"});
}

TEST(MatMulNBitsBadInput, UnsupportedBitsAndBlockSize) {
  NBitsSpec s;
  s.bits = 3;
  expect_error(s, "bits", {"bits must be 2, 4 or 8, got 3"});
  NBitsSpec t;
  t.block_size = 24;
  expect_error(t, "block", {"block_size must be a power of 2"});
}

}  // namespace
