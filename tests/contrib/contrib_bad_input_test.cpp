// Malformed com.microsoft nodes and inputs must give one evalq::Error naming the node and what
// was expected — at load for bad attributes, at run for bad shapes or lengths — never a crash.
#include <evalq/error.h>
#include <evalq/session.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "test_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;
using namespace evalq;

namespace {

struct Port {
  std::string name;
  onnx::TensorProto::DataType type;
  Shape shape;
};

// A one-node model whose inputs are all graph inputs ("" leaves an optional input out).
class OneNode {
 public:
  OneNode(const std::string& op_type, const std::string& domain) {
    model_.set_ir_version(8);
    auto* opset = model_.add_opset_import();
    opset->set_domain("");
    opset->set_version(17);
    auto* ms = model_.add_opset_import();
    ms->set_domain("com.microsoft");
    ms->set_version(1);
    model_.mutable_graph()->set_name("g");
    node_ = model_.mutable_graph()->add_node();
    node_->set_op_type(op_type);
    node_->set_domain(domain);
    node_->set_name("the_node");
  }
  OneNode& input(const Port& p) {
    node_->add_input(p.name);
    if (p.name.empty()) return *this;
    auto* in = model_.mutable_graph()->add_input();
    in->set_name(p.name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(p.type);
    for (int64_t d : p.shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
    return *this;
  }
  OneNode& output(const std::string& name) {
    node_->add_output(name);
    model_.mutable_graph()->add_output()->set_name(name);
    return *this;
  }
  OneNode& attr(const std::string& name, int64_t value) {
    auto* a = node_->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
    return *this;
  }
  fs::path save(const std::string& case_name) const {
    const fs::path dir = evalq::test::scratch_dir("contrib_bad_input", case_name);
    std::ofstream(dir / "model.onnx", std::ios::binary) << model_.SerializeAsString();
    return dir / "model.onnx";
  }

 private:
  onnx::ModelProto model_;
  onnx::NodeProto* node_;
};

Tensor floats(Shape shape) { return Tensor::zeros(DType::Float32, std::move(shape)); }

Tensor int32s(Shape shape, std::vector<int32_t> values) { return Tensor::from_vector(DType::Int32, std::move(shape), values); }

// The message of the error that loading or running throws, or "" when both succeed.
std::string failure(const fs::path& model, const std::map<std::string, Tensor>& feeds) {
  return evalq::test::error_of([&] {
    Session session(Model::load(model));
    session.run(feeds);
  });
}

OneNode gqa(int64_t heads, int64_t kv_heads, int64_t past, int64_t seq, int64_t head_size = 8, int64_t q_width = 0) {
  OneNode m("GroupQueryAttention", "com.microsoft");
  m.input({"q", onnx::TensorProto::FLOAT, {1, seq, q_width ? q_width : heads * head_size}})
      .input({"k", onnx::TensorProto::FLOAT, {1, seq, kv_heads * head_size}})
      .input({"v", onnx::TensorProto::FLOAT, {1, seq, kv_heads * head_size}})
      .input({"pk", onnx::TensorProto::FLOAT, {1, kv_heads, past, head_size}})
      .input({"pv", onnx::TensorProto::FLOAT, {1, kv_heads, past, head_size}})
      .input({"seqlens_k", onnx::TensorProto::INT32, {1}})
      .input({"total", onnx::TensorProto::INT32, {}})
      .output("out")
      .output("present_key")
      .output("present_value")
      .attr("num_heads", heads)
      .attr("kv_num_heads", kv_heads);
  return m;
}

std::map<std::string, Tensor> gqa_feeds(int64_t heads, int64_t kv_heads, int64_t past, int64_t seq, int32_t seqlen,
                                        int32_t total, int64_t head_size = 8) {
  return {{"q", floats({1, seq, heads * head_size})},
          {"k", floats({1, seq, kv_heads * head_size})},
          {"v", floats({1, seq, kv_heads * head_size})},
          {"pk", floats({1, kv_heads, past, head_size})},
          {"pv", floats({1, kv_heads, past, head_size})},
          {"seqlens_k", int32s({1}, {seqlen})},
          {"total", int32s({}, {total})}};
}

void expect_contains(const std::string& message, const std::vector<std::string>& parts) {
  ASSERT_FALSE(message.empty()) << "expected an error";
  for (const auto& p : parts) EXPECT_NE(message.find(p), std::string::npos) << "'" << p << "' not in: " << message;
}

TEST(ContribBadInput, GqaHeadsNotAMultipleOfKvHeads) {
  fs::path model = gqa(6, 4, 2, 1).save("gqa_heads");
  expect_contains(failure(model, gqa_feeds(6, 4, 2, 1, 2, 3)),
                  {"the_node", "GroupQueryAttention", "num_heads (6) must be a positive multiple of kv_num_heads (4)"});
}

TEST(ContribBadInput, GqaSeqlensBeyondThePast) {
  fs::path model = gqa(4, 2, 3, 1).save("gqa_seqlens");
  expect_contains(failure(model, gqa_feeds(4, 2, 3, 1, 20, 4)), {"the_node", "seqlens_k[0] = 20 does not fit"});
}

TEST(ContribBadInput, GqaQueryHiddenSizeNotDivisible) {
  fs::path model = gqa(4, 2, 0, 2, 8, 30).save("gqa_hidden");
  auto feeds = gqa_feeds(4, 2, 0, 2, 1, 2);
  feeds["q"] = floats({1, 2, 30});
  expect_contains(failure(model, feeds), {"the_node", "query hidden size 30"});
}

TEST(ContribBadInput, GqaKeyWithoutValue) {
  OneNode m("GroupQueryAttention", "com.microsoft");
  m.input({"q", onnx::TensorProto::FLOAT, {1, 1, 32}})
      .input({"k", onnx::TensorProto::FLOAT, {1, 1, 16}})
      .input({"", onnx::TensorProto::FLOAT, {}})
      .input({"", onnx::TensorProto::FLOAT, {}})
      .input({"", onnx::TensorProto::FLOAT, {}})
      .input({"seqlens_k", onnx::TensorProto::INT32, {1}})
      .input({"total", onnx::TensorProto::INT32, {}})
      .output("out")
      .attr("num_heads", 4)
      .attr("kv_num_heads", 2);
  expect_contains(failure(m.save("gqa_no_value"), {{"q", floats({1, 1, 32})},
                                                   {"k", floats({1, 1, 16})},
                                                   {"seqlens_k", int32s({1}, {0})},
                                                   {"total", int32s({}, {1})}}),
                  {"the_node", "key and value must both be given"});
}

TEST(ContribBadInput, RotaryPositionOutsideTheCache) {
  OneNode m("RotaryEmbedding", "com.microsoft");
  m.input({"x", onnx::TensorProto::FLOAT, {1, 2, 16}})
      .input({"pos", onnx::TensorProto::INT64, {1, 2}})
      .input({"cos", onnx::TensorProto::FLOAT, {4, 4}})
      .input({"sin", onnx::TensorProto::FLOAT, {4, 4}})
      .output("y");
  std::map<std::string, Tensor> feeds = {{"x", floats({1, 2, 16})},
                                         {"pos", Tensor::from_vector<int64_t>(DType::Int64, {1, 2}, {1, 9})},
                                         {"cos", floats({4, 4})},
                                         {"sin", floats({4, 4})}};
  expect_contains(failure(m.save("rotary_pos"), feeds), {"the_node", "position 9 is outside the cos/sin cache of 4 rows"});
}

TEST(ContribBadInput, SkipLayerNormGammaOfTheWrongWidth) {
  OneNode m("SkipSimplifiedLayerNormalization", "com.microsoft");
  m.input({"x", onnx::TensorProto::FLOAT, {1, 2, 8}})
      .input({"skip", onnx::TensorProto::FLOAT, {1, 2, 8}})
      .input({"gamma", onnx::TensorProto::FLOAT, {6}})
      .output("y");
  expect_contains(failure(m.save("skip_gamma"), {{"x", floats({1, 2, 8})}, {"skip", floats({1, 2, 8})}, {"gamma", floats({6})}}),
                  {"the_node", "gamma has shape [6], expected [8]"});
}

TEST(ContribBadInput, GatherBlockQuantizedScalesOfTheWrongShape) {
  OneNode m("GatherBlockQuantized", "com.microsoft");
  m.input({"data", onnx::TensorProto::UINT8, {4, 16}})
      .input({"indices", onnx::TensorProto::INT64, {1}})
      .input({"scales", onnx::TensorProto::FLOAT, {4, 3}})
      .output("y")
      .attr("block_size", 16)
      .attr("bits", 4);
  std::map<std::string, Tensor> feeds = {{"data", Tensor::zeros(DType::UInt8, {4, 16})},
                                         {"indices", Tensor::from_vector<int64_t>(DType::Int64, {1}, {0})},
                                         {"scales", floats({4, 3})}};
  expect_contains(failure(m.save("gbq_scales"), feeds), {"the_node", "scales [4, 3] do not match data [4, 32]"});
}

TEST(ContribBadInput, GatherBlockQuantizedBlockSizeNotAPowerOfTwo) {
  OneNode m("GatherBlockQuantized", "com.microsoft");
  m.input({"data", onnx::TensorProto::UINT8, {4, 16}})
      .input({"indices", onnx::TensorProto::INT64, {1}})
      .input({"scales", onnx::TensorProto::FLOAT, {4, 1}})
      .output("y")
      .attr("block_size", 24)
      .attr("bits", 4);
  std::map<std::string, Tensor> feeds = {{"data", Tensor::zeros(DType::UInt8, {4, 16})},
                                         {"indices", Tensor::from_vector<int64_t>(DType::Int64, {1}, {0})},
                                         {"scales", floats({4, 1})}};
  expect_contains(failure(m.save("gbq_block"), feeds), {"the_node", "block_size must be a power of 2", "got 24"});
}

// Attention (com.microsoft) over input [1, 2, 8] with packed weights [8, 24] and bias [24].
OneNode attention(int64_t heads) {
  OneNode m("Attention", "com.microsoft");
  m.input({"x", onnx::TensorProto::FLOAT, {1, 2, 8}})
      .input({"w", onnx::TensorProto::FLOAT, {8, 24}})
      .input({"b", onnx::TensorProto::FLOAT, {24}});
  m.attr("num_heads", heads);
  return m;
}

TEST(ContribBadInput, AttentionDoRotaryRefusedAtLoad) {
  OneNode m = attention(2);
  m.output("y").attr("do_rotary", 1);
  expect_contains(failure(m.save("attention_rotary"), {}), {"the_node", "do_rotary=1 is not supported"});
}

TEST(ContribBadInput, AttentionPastOfTheWrongShape) {
  OneNode m = attention(2);
  m.input({"", onnx::TensorProto::INT32, {}}).input({"past", onnx::TensorProto::FLOAT, {2, 1, 2, 3, 3}}).output("y");
  std::map<std::string, Tensor> feeds = {{"x", floats({1, 2, 8})}, {"w", floats({8, 24})}, {"b", floats({24})},
                                         {"past", floats({2, 1, 2, 3, 3})}};
  expect_contains(failure(m.save("attention_past"), feeds),
                  {"the_node", "past must be [2, batch 1, num_heads 2, past_seq, head_size 4], got [2, 1, 2, 3, 3]"});
}

TEST(ContribBadInput, AttentionMegatronMaskRefused) {
  OneNode m = attention(2);
  m.input({"mask", onnx::TensorProto::INT32, {1, 1, 2, 2}}).output("y");
  std::map<std::string, Tensor> feeds = {{"x", floats({1, 2, 8})}, {"w", floats({8, 24})}, {"b", floats({24})},
                                         {"mask", int32s({1, 1, 2, 2}, {1, 1, 1, 1})}};
  expect_contains(failure(m.save("attention_mask4d"), feeds), {"the_node", "mask_index must be", "got [1, 1, 2, 2]"});
}

// The attention_bias shape check every attention kernel shares (ops/contrib/attention_bias.h).
TEST(ContribBadInput, AttentionBiasOfTheWrongShape) {
  OneNode m = attention(2);
  m.input({"", onnx::TensorProto::INT32, {}})
      .input({"", onnx::TensorProto::FLOAT, {}})
      .input({"ab", onnx::TensorProto::FLOAT, {1, 3, 2, 2}})
      .output("y");
  std::map<std::string, Tensor> feeds = {{"x", floats({1, 2, 8})}, {"w", floats({8, 24})}, {"b", floats({24})},
                                         {"ab", floats({1, 3, 2, 2})}};
  expect_contains(failure(m.save("attention_bias"), feeds),
                  {"the_node", "Attention", "attention_bias must be [1 (batch) or 1, 2 (heads) or 1, 2 (sequence), "
                                            "2 (total sequence)], got [1, 3, 2, 2]"});

  OneNode g = gqa(4, 2, 0, 2);
  for (int i = 0; i < 3; ++i) g.input({"", onnx::TensorProto::FLOAT, {}});
  g.input({"ab", onnx::TensorProto::FLOAT, {1, 1, 2, 5}});
  auto gqa_in = gqa_feeds(4, 2, 0, 2, 1, 2);
  gqa_in["ab"] = floats({1, 1, 2, 5});
  expect_contains(failure(g.save("gqa_bias"), gqa_in),
                  {"the_node", "GroupQueryAttention", "attention_bias must be [1 (batch) or 1, 4 (heads) or 1, "
                                                      "2 (sequence), 2 (total sequence)], got [1, 1, 2, 5]"});

  OneNode mha("MultiHeadAttention", "com.microsoft");
  mha.input({"q", onnx::TensorProto::FLOAT, {1, 2, 16}})
      .input({"k", onnx::TensorProto::FLOAT, {1, 3, 16}})
      .input({"v", onnx::TensorProto::FLOAT, {1, 3, 16}})
      .input({"", onnx::TensorProto::FLOAT, {}})
      .input({"", onnx::TensorProto::INT32, {}})
      .input({"ab", onnx::TensorProto::FLOAT, {2, 2, 2, 3}})
      .output("out")
      .attr("num_heads", 2);
  expect_contains(failure(mha.save("mha_bias"), {{"q", floats({1, 2, 16})},
                                                 {"k", floats({1, 3, 16})},
                                                 {"v", floats({1, 3, 16})},
                                                 {"ab", floats({2, 2, 2, 3})}}),
                  {"the_node", "MultiHeadAttention", "attention_bias must be [1 (batch) or 1, 2 (heads) or 1, "
                                                     "2 (sequence), 3 (total sequence)], got [2, 2, 2, 3]"});
}

TEST(ContribBadInput, EmbedLayerNormTokenOutsideTheVocabulary) {
  OneNode m("EmbedLayerNormalization", "com.microsoft");
  m.input({"ids", onnx::TensorProto::INT32, {1, 2}})
      .input({"", onnx::TensorProto::INT32, {}})
      .input({"word", onnx::TensorProto::FLOAT, {4, 8}})
      .input({"pos", onnx::TensorProto::FLOAT, {4, 8}})
      .input({"", onnx::TensorProto::FLOAT, {}})
      .input({"gamma", onnx::TensorProto::FLOAT, {8}})
      .input({"beta", onnx::TensorProto::FLOAT, {8}})
      .output("y");
  std::map<std::string, Tensor> feeds = {{"ids", int32s({1, 2}, {1, 7})}, {"word", floats({4, 8})},
                                         {"pos", floats({4, 8})}, {"gamma", floats({8})}, {"beta", floats({8})}};
  expect_contains(failure(m.save("eln_vocab"), feeds), {"the_node", "input_ids[1] = 7 is outside the 4-row word_embedding"});
}

}  // namespace
