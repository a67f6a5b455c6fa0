// Our tokenizer against HF tokenizers: exact ids for every (tokenizer, text) pair that
// hf_oracle.py wrote, exact decoded text, and the GPT-2 WikiText-2 anchor count.
#include <evalq/tokenizer.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include "test_support.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

using evalq::test::env;
using evalq::test::read_bytes;

struct Case {
  std::string name, tokenizer, text, expected;
  bool add_special_tokens = false;
};

fs::path work() { return fs::path(env("EVALQ_TEST_WORK")) / "tokenizer"; }

std::vector<Case> load_cases() {
  std::ifstream in(work() / "manifest.json");
  if (!in) return {};
  nlohmann::json manifest = nlohmann::json::parse(in);
  std::vector<Case> cases;
  for (const auto& c : manifest) {
    cases.push_back({c["name"], c["tokenizer"], c["text"], c["expected"], c["add_special_tokens"]});
  }
  return cases;
}

const Tokenizer& cached_tokenizer(const std::string& path) {
  static std::map<std::string, Tokenizer> tokenizers;
  auto it = tokenizers.find(path);
  if (it == tokenizers.end()) it = tokenizers.emplace(path, Tokenizer::load(path)).first;
  return it->second;
}

class HfTokenizers : public ::testing::TestWithParam<Case> {};

TEST_P(HfTokenizers, IdsAndDecodeMatch) {
  const Case& c = GetParam();
  const Tokenizer& tok = cached_tokenizer(c.tokenizer);
  nlohmann::json expected = nlohmann::json::parse(read_bytes(c.expected));
  auto want = expected["ids"].get<std::vector<TokenId>>();
  std::vector<TokenId> got = tok.encode(read_bytes(c.text), c.add_special_tokens);
  size_t first_diff = 0;
  while (first_diff < got.size() && first_diff < want.size() && got[first_diff] == want[first_diff]) ++first_diff;
  EXPECT_EQ(first_diff, want.size()) << c.name << ": " << got.size() << " ids, HF " << want.size()
                                     << ", first difference at index " << first_diff;
  EXPECT_EQ(got.size(), want.size()) << c.name;
  // Decoding HF's ids must give HF's text (which is also the input, up to what the model drops).
  std::string decoded = tok.decode(want, false), want_text = expected["decoded"].get<std::string>();
  size_t at = 0;
  while (at < decoded.size() && at < want_text.size() && decoded[at] == want_text[at]) ++at;
  EXPECT_TRUE(decoded == want_text) << c.name << ": decoded text differs from HF's at byte " << at << ": ours \""
                                    << decoded.substr(at, 40) << "\", HF \"" << want_text.substr(at, 40) << "\"";
}

std::vector<Case> cases_or_placeholder() {
  std::vector<Case> cases = load_cases();
  if (cases.empty()) cases.push_back({"missing_manifest", "", "", "", false});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(All, HfTokenizers, ::testing::ValuesIn(cases_or_placeholder()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

struct SnippetSet {
  std::string name, tokenizer, expected;
};

std::vector<SnippetSet> snippet_sets() {
  std::vector<SnippetSet> sets;
  std::ifstream in(work() / "snippets.json");
  if (in) {
    for (const auto& s : nlohmann::json::parse(in)) sets.push_back({s["name"], s["tokenizer"], s["expected"]});
  }
  if (sets.empty()) sets.push_back({"missing_snippets", "", ""});
  return sets;
}

class HfTokenizersSnippets : public ::testing::TestWithParam<SnippetSet> {};

// Hundreds of short texts, each encoded on its own: text edges, added tokens beside spaces,
// with and without the post-processor, decoding with and without special tokens.
TEST_P(HfTokenizersSnippets, EachSnippetMatches) {
  const SnippetSet& set = GetParam();
  const Tokenizer& tok = cached_tokenizer(set.tokenizer);
  nlohmann::json entries = nlohmann::json::parse(read_bytes(set.expected));
  int failures = 0;
  for (const auto& e : entries) {
    std::string text = e["text"];
    auto ids = e["ids"].get<std::vector<TokenId>>();
    bool ok = tok.encode(text) == ids && tok.encode(text, true) == e["ids_special"].get<std::vector<TokenId>>() &&
              tok.decode(ids, false) == e["decoded"].get<std::string>() &&
              tok.decode(ids, true) == e["decoded_skip"].get<std::string>();
    if (!ok && ++failures <= 5) ADD_FAILURE() << set.name << ": snippet " << nlohmann::json(text).dump() << " differs from HF";
  }
  EXPECT_EQ(failures, 0) << set.name << ": " << failures << " of " << entries.size() << " snippets differ";
}

INSTANTIATE_TEST_SUITE_P(All, HfTokenizersSnippets, ::testing::ValuesIn(snippet_sets()),
                         [](const ::testing::TestParamInfo<SnippetSet>& info) { return info.param.name; });

TEST(HfTokenizersAnchor, Gpt2WikiText2RowsJoined) {
  // The HF perplexity guide's count: WikiText-2 test rows joined with "\n\n", GPT-2 tokenizer.
  const Tokenizer& tok = cached_tokenizer((fs::path(env("EVALQ_SHARED_DIR")) / "tokenizers/gpt2").string());
  std::string text = read_bytes(work() / "texts/wikitext_rows.txt");
  ASSERT_FALSE(text.empty()) << "run tokenizer.generate first";
  EXPECT_EQ(tok.encode(text).size(), 287644u);
  EXPECT_FALSE(tok.adds_bos_by_default());
  EXPECT_EQ(tok.vocab_size(), 50257);
}

TEST(HfTokenizersAnchor, ConcurrentEncodesAgree) {
  // One tokenizer shared by several threads (its word cache is shared too) gives the same ids.
  Tokenizer tok = Tokenizer::load(fs::path(env("EVALQ_SHARED_DIR")) / "tokenizers/gpt2");
  std::string text = read_bytes(fs::path(env("EVALQ_SHARED_DIR")) / "data/tinystories/valid-head.txt").substr(0, 200000);
  std::vector<std::vector<TokenId>> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] { results[t] = tok.encode(text.substr(t * 1000)); });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < results.size(); ++t) EXPECT_EQ(results[t], tok.encode(text.substr(t * 1000))) << t;
}

TEST(HfTokenizersAnchor, Stories260KBosPolicy) {
  const Tokenizer& tok = cached_tokenizer((fs::path(env("EVALQ_SHARED_DIR")) / "models/stories260K").string());
  EXPECT_TRUE(tok.adds_bos_by_default());
  ASSERT_TRUE(tok.bos_id().has_value());
  EXPECT_EQ(*tok.bos_id(), 1);
  EXPECT_EQ(tok.eos_id().value_or(-1), 2);
  std::vector<TokenId> plain = tok.encode("Once upon a time");
  std::vector<TokenId> with_bos = tok.encode_document("Once upon a time", BosPolicy::Auto);
  ASSERT_EQ(with_bos.size(), plain.size() + 1);
  EXPECT_EQ(with_bos[0], 1);
  EXPECT_EQ(tok.encode_document("Once upon a time", BosPolicy::Never), plain);
  EXPECT_EQ(tok.encode("Once upon a time", true), with_bos);
  EXPECT_EQ(tok.token_to_id("<0x0A>").value_or(-1), 13);
  EXPECT_EQ(tok.id_to_token(1).value_or(""), "<s>");
  EXPECT_EQ(tok.fingerprint().size(), 64u);
}

}  // namespace
