// Bad tokenizer files give one evalq::Error naming the file and the JSON path, never a crash.
#include <evalq/error.h>
#include <evalq/tokenizer.h>
#include <gtest/gtest.h>

#include "test_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace evalq;

namespace {

fs::path scratch(const std::string& name) { return evalq::test::scratch_dir("tokenizer_bad_input", name); }

std::string load_error(const std::string& name, const std::string& json) {
  fs::path file = scratch(name) / "tokenizer.json";
  std::ofstream(file) << json;
  return evalq::test::error_of([&] { Tokenizer::load(file); });
}

const char* kMinimalModel = R"("model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]})";

TEST(TokenizerBadInput, MinimalFileLoads) {
  EXPECT_EQ(load_error("minimal", std::string("{") + kMinimalModel + "}"), "");
}

TEST(TokenizerBadInput, MalformedJson) {
  std::string e = load_error("malformed", "{\"model\": {\"type\": \"BPE\", ");
  EXPECT_NE(e.find("tokenizer.json"), std::string::npos) << e;
  EXPECT_NE(e.find("not valid JSON"), std::string::npos) << e;
}

TEST(TokenizerBadInput, UnknownModelType) {
  std::string e = load_error("unknown_model", R"({"model": {"type": "WordPiece", "vocab": {}}})");
  EXPECT_NE(e.find("$.model.type"), std::string::npos) << e;
  EXPECT_NE(e.find("WordPiece"), std::string::npos) << e;
}

TEST(TokenizerBadInput, MissingModel) {
  std::string e = load_error("missing_model", R"({"normalizer": null})");
  EXPECT_NE(e.find("$: missing \"model\""), std::string::npos) << e;
}

TEST(TokenizerBadInput, MergeOfUnknownToken) {
  std::string e = load_error("bad_merge", R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a", "a q"]}})");
  EXPECT_NE(e.find("$.model.merges[0]"), std::string::npos) << e;
  e = load_error("bad_merge2", R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a q"]}})");
  EXPECT_NE(e.find("$.model.merges[0]"), std::string::npos) << e;
  EXPECT_NE(e.find("\"q\" is not in the vocabulary"), std::string::npos) << e;
}

TEST(TokenizerBadInput, WrongTypes) {
  std::string e = load_error("vocab_id", R"({"model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}})");
  EXPECT_NE(e.find("$.model.vocab.a: expected an integer token id"), std::string::npos) << e;
  e = load_error("unknown_normalizer", std::string(R"({"normalizer": {"type": "Sequence", "normalizers": [{"type": "Precompiled"}]}, )") +
                                           kMinimalModel + "}");
  EXPECT_NE(e.find("$.normalizer.normalizers[0].type"), std::string::npos) << e;
  e = load_error("bad_regex", std::string(R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a"}, "behavior": "Isolated"}, )") +
                                  kMinimalModel + "}");
  EXPECT_NE(e.find("$.pre_tokenizer.pattern.Regex"), std::string::npos) << e;
  e = load_error("bad_behavior", std::string(R"({"pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"}, )") +
                                     kMinimalModel + "}");
  EXPECT_NE(e.find("$.pre_tokenizer.behavior"), std::string::npos) << e;
  e = load_error("bad_template", std::string(R"({"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}], "special_tokens": {}}, )") +
                                     kMinimalModel + "}");
  EXPECT_NE(e.find("$.post_processor.single[0].SpecialToken.id"), std::string::npos) << e;
}

TEST(TokenizerBadInput, MissingFileAndFolder) {
  fs::path dir = scratch("empty_folder");
  try {
    Tokenizer::load(dir);
    FAIL() << "loaded a folder without tokenizer.json";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no tokenizer.json"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Tokenizer::load(dir / "nope.json"), Error);
}

TEST(TokenizerBadInput, InvalidUtf8AndUnknownIds) {
  fs::path file = scratch("utf8") / "tokenizer.json";
  std::ofstream(file) << R"({"model": {"type": "BPE", "vocab": {"a": 0, "<unk>": 1}, "unk_token": "<unk>", "merges": []}})";
  Tokenizer tok = Tokenizer::load(file);
  // Each invalid byte here becomes one U+FFFD (unknown to this vocabulary, so <unk>, not fused).
  EXPECT_EQ(tok.encode(std::string("a\xff\xc0" "a")), (std::vector<TokenId>{0, 1, 1, 0}));
  std::vector<TokenId> ids{0, 12345, -7, 1};
  EXPECT_EQ(tok.decode(ids), "a <unk>");
  EXPECT_EQ(tok.encode_document("a", BosPolicy::Auto), (std::vector<TokenId>{0}));
  EXPECT_THROW(tok.encode_document("a", BosPolicy::Always), Error);
}

}  // namespace
