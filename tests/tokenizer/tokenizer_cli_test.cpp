// `evalq tokenize` gives the library's ids, writes {"ids", "count"} and round-trips with --decode.
#include <evalq/tokenizer.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include "test_support.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

using evalq::test::env;

TEST(TokenizerCli, JsonIdsBosAndDecode) {
  fs::path model = fs::path(env("EVALQ_SHARED_DIR")) / "models/stories260K";
  fs::path out_dir = fs::path(env("EVALQ_TEST_WORK")) / "tokenizer_cli";
  fs::create_directories(out_dir);
  fs::path text_file = out_dir / "input.txt";
  std::string text = "Once upon a time, there was a little girl named Lily.\nShe liked to play outside.";
  std::ofstream(text_file, std::ios::binary) << text;
  fs::path json = out_dir / "ids.json";
  std::string cmd = env("EVALQ_BIN") + " tokenize " + model.string() + " --text-file " + text_file.string() +
                    " --json " + json.string() + " --decode --bos auto > " + (out_dir / "stdout.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(json);
  nlohmann::json j = nlohmann::json::parse(in);
  Tokenizer tok = Tokenizer::load(model);
  std::vector<TokenId> want = tok.encode_document(text, BosPolicy::Auto);
  EXPECT_EQ(j["ids"].get<std::vector<TokenId>>(), want);
  EXPECT_EQ(j["count"].get<size_t>(), want.size());
  EXPECT_EQ(want.front(), 1);
  EXPECT_EQ(j["decoded"].get<std::string>(), text);

  std::string bad = env("EVALQ_BIN") + " tokenize " + (out_dir / "missing").string() + " --text x 2> " +
                    (out_dir / "stderr.txt").string();
  EXPECT_NE(std::system(bad.c_str()), 0);
}

}  // namespace
