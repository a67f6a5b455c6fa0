// Bad input must give one clear evalq::Error naming the file, node or input and what was
// expected — never a crash. This suite also runs under AddressSanitizer in CI.
#include <evalq/error.h>
#include <evalq/model_info.h>
#include <evalq/session.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "test_support.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

using evalq::test::env;
using evalq::test::read_bytes;
using evalq::test::shared_dir;

fs::path scratch(const std::string& name) { return evalq::test::scratch_dir("bad_input", name); }

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The load error's message, or "" when loading succeeded.
std::string load_error(const fs::path& path) {
  try {
    Model::load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A one-node model: y = op(x) with x float [2, 3].
onnx::ModelProto one_node_model(const std::string& op_type, const std::string& domain = "") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  if (!domain.empty()) {
    auto* extra = m.add_opset_import();
    extra->set_domain(domain);
    extra->set_version(1);
  }
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* node = g->add_node();
  node->set_op_type(op_type);
  node->set_domain(domain);
  node->set_name("the_node");
  node->add_input("x");
  node->add_output("y");
  auto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(2);
  tt->mutable_shape()->add_dim()->set_dim_value(3);
  g->add_output()->set_name("y");
  return m;
}

void save(const onnx::ModelProto& m, const fs::path& p) { write_file(p, m.SerializeAsString()); }

TEST(BadInput, TruncatedModelFile) {
  fs::path dir = scratch("truncated");
  std::string bytes = read_bytes(shared_dir() / "models/stories260K/optimum/model.onnx");
  ASSERT_GT(bytes.size(), 1000u);
  write_file(dir / "model.onnx", bytes.substr(0, bytes.size() / 2));
  std::string err = load_error(dir / "model.onnx");
  EXPECT_NE(err.find("model.onnx"), std::string::npos) << err;
  EXPECT_NE(err.find("truncated"), std::string::npos) << err;
}

TEST(BadInput, EmptyAndMissingModelFile) {
  fs::path dir = scratch("empty");
  write_file(dir / "model.onnx", "");
  EXPECT_NE(load_error(dir / "model.onnx").find("not a valid ONNX model"), std::string::npos);
  EXPECT_NE(load_error(dir / "nothing.onnx").find("does not exist"), std::string::npos);
}

TEST(BadInput, MissingExternalDataFile) {
  fs::path dir = scratch("missing_data");
  fs::copy_file(shared_dir() / "models/stories260K/genai-fp32/model.onnx", dir / "model.onnx");
  std::string err = load_error(dir);
  EXPECT_NE(err.find("model.onnx.data"), std::string::npos) << err;
  EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
  EXPECT_NE(err.find("initializer"), std::string::npos) << err;
}

TEST(BadInput, ShortExternalDataFile) {
  fs::path dir = scratch("short_data");
  fs::copy_file(shared_dir() / "models/stories260K/genai-fp32/model.onnx", dir / "model.onnx");
  std::string data = read_bytes(shared_dir() / "models/stories260K/genai-fp32/model.onnx.data");
  write_file(dir / "model.onnx.data", data.substr(0, data.size() - 4096));
  std::string err = load_error(dir);
  EXPECT_NE(err.find("truncated or mismatched data file"), std::string::npos) << err;
  EXPECT_NE(err.find("model.onnx.data"), std::string::npos) << err;
}

TEST(BadInput, ExternalDataOutsideModelFolder) {
  fs::path dir = scratch("escape");
  onnx::ModelProto m = one_node_model("Relu");
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = w->add_external_data();
  kv->set_key("location");
  kv->set_value("../../etc/passwd");
  save(m, dir / "model.onnx");
  EXPECT_NE(load_error(dir / "model.onnx").find("must be a path inside the model's folder"), std::string::npos);
}

TEST(BadInput, UnknownOperatorsAreAllListedAtLoad) {
  fs::path dir = scratch("unknown_op");
  onnx::ModelProto m = one_node_model("FancyOp", "com.example");
  auto* second = m.mutable_graph()->add_node();
  second->set_op_type("OtherOp");
  second->set_name("second_node");
  second->add_input("y");
  second->add_output("z");
  m.mutable_graph()->mutable_output(0)->set_name("z");
  save(m, dir / "model.onnx");
  std::string err = load_error(dir / "model.onnx");
  EXPECT_NE(err.find("com.example.FancyOp (opset 1), first node 'the_node'"), std::string::npos) << err;
  EXPECT_NE(err.find("ai.onnx.OtherOp (opset 17), first node 'second_node'"), std::string::npos) << err;
  // Inspection still works and lists them.
  ModelInfo info = inspect_model(dir / "model.onnx");
  EXPECT_EQ(info.unsupported_ops.size(), 2u);
}

TEST(BadInput, NodeInputNeverProduced) {
  fs::path dir = scratch("dangling");
  onnx::ModelProto m = one_node_model("Relu");
  m.mutable_graph()->mutable_node(0)->set_input(0, "ghost");
  save(m, dir / "model.onnx");
  std::string err = load_error(dir / "model.onnx");
  EXPECT_NE(err.find("'ghost'"), std::string::npos) << err;
  EXPECT_NE(err.find("the_node"), std::string::npos) << err;
}

TEST(BadInput, WrongInputRankDtypeAndMissingInput) {
  Session session(Model::load(shared_dir() / "models/stories260K/optimum"));
  auto expect_error = [&](std::map<std::string, Tensor> feeds, const std::string& needle) {
    try {
      session.run(feeds);
      ADD_FAILURE() << "no error, expected: " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto ids = Tensor::zeros(DType::Int64, {1, 4});
  auto mask = Tensor::zeros(DType::Int64, {1, 4});
  auto pos = Tensor::zeros(DType::Int64, {1, 4});
  std::map<std::string, Tensor> feeds{{"input_ids", ids}, {"attention_mask", mask}, {"position_ids", pos}};
  for (int i = 0; i < 5; ++i) {
    feeds["past_key_values." + std::to_string(i) + ".key"] = Tensor::zeros(DType::Float32, {1, 4, 0, 8});
    feeds["past_key_values." + std::to_string(i) + ".value"] = Tensor::zeros(DType::Float32, {1, 4, 0, 8});
  }
  auto bad = feeds;
  bad["input_ids"] = Tensor::zeros(DType::Int64, {4});
  expect_error(bad, "input 'input_ids' expects rank 2");
  bad = feeds;
  bad["input_ids"] = Tensor::zeros(DType::Int32, {1, 4});
  expect_error(bad, "input 'input_ids' expects int64, got int32");
  bad = feeds;
  bad["past_key_values.0.key"] = Tensor::zeros(DType::Float32, {1, 3, 0, 8});
  expect_error(bad, "expects dimension 1 = 4");
  bad = feeds;
  bad.erase("attention_mask");
  expect_error(bad, "missing input 'attention_mask'");
  bad = feeds;
  bad["bogus"] = ids;
  expect_error(bad, "no input named 'bogus'");
}

TEST(BadInput, NotAnLlm) {
  fs::path dir = scratch("not_llm");
  save(one_node_model("Relu"), dir / "model.onnx");
  Session session(Model::load(dir / "model.onnx"));
  std::vector<int64_t> ids{1, 2};
  try {
    session.forward(ids);
    ADD_FAILURE() << "forward on a non-LLM succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input_ids"), std::string::npos) << e.what();
  }
}

TEST(BadInput, CombinedPastWithoutCombinedPresent) {
  fs::path dir = scratch("combined_kv_half");
  save(one_node_model("Relu"), dir / "model.onnx");
  write_file(dir / "genai_config.json",
             R"({"model": {"decoder": {"inputs": {"past_names": "past_%d"}, "outputs": {"logits": "logits"}}}})");
  std::string err = load_error(dir);
  EXPECT_NE(err.find("genai_config.json"), std::string::npos) << err;
  EXPECT_NE(err.find("past_names and model.decoder.outputs.present_names"), std::string::npos) << err;
}

// The CLI turns every error into one message and a non-zero exit code.
TEST(BadInput, CliExitCodes) {
  fs::path dir = scratch("cli");
  std::string bin = env("EVALQ_BIN");
  ASSERT_FALSE(bin.empty());
  auto run = [&](const std::string& args) {
    std::string cmd = "'" + bin + "' " + args + " > '" + (dir / "out.txt").string() + "' 2>&1";
    int status = std::system(cmd.c_str());
    return std::make_pair(WEXITSTATUS(status), read_bytes(dir / "out.txt"));
  };
  auto [code1, out1] = run("logits " + (dir / "nope").string() + " --tokens 1,2");
  EXPECT_NE(code1, 0);
  EXPECT_NE(out1.find("evalq: error: model path"), std::string::npos) << out1;
  auto [code2, out2] = run("logits " + (shared_dir() / "models/stories260K/optimum").string() + " --tokens 1,x");
  EXPECT_NE(code2, 0);
  EXPECT_NE(out2.find("'x' is not an integer token id"), std::string::npos) << out2;
  auto [code3, out3] = run("info " + (dir / "nope.onnx").string());
  EXPECT_NE(code3, 0);
  EXPECT_EQ(std::count(out3.begin(), out3.end(), '\n'), 1) << "one line expected: " << out3;
}

}  // namespace
