#include "registry.h"

#include <evalq/error.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include "test_support.h"

namespace fs = std::filesystem;
using namespace evalq;

namespace {

using evalq::test::error_of;

fs::path shared_data() { return evalq::test::shared_dir() / "data"; }

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("evalq_datasets_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(DatasetRegistry, WikiText2IsAssembledAsHuggingFaceRows) {
  TextCorpus c = load_text_corpus("wikitext2", shared_data());
  // 4,358 rows (1,467 of them empty) joined by "\n\n"; the text rows keep their own "\n".
  EXPECT_EQ(c.name, "wikitext2");
  EXPECT_EQ(c.text.substr(0, 24), "\n\n = Robert Boulter = \n\n");
  size_t raw_size = fs::file_size(shared_data() / "wikitext-2/wiki.test.raw");
  EXPECT_EQ(c.text.size(), raw_size - 1467 * 2 + 4357 * 2);
  // The digest of the HF assembly as Python computes it (rows keep their "\n", blanks empty, "\n\n" joins).
  EXPECT_EQ(c.sha256, "696cca6b65a171b0a358a4be6732cdfdf2dd6164a32e20fd70e3c13fc4dfae83");
}

TEST(DatasetRegistry, TinyStoriesIsTheFileAsIs) {
  TextCorpus c = load_text_corpus("tinystories", shared_data());
  EXPECT_EQ(c.text.size(), 794375u);
  EXPECT_EQ(c.text.substr(0, 5), "Spot.");
}

TEST(DatasetRegistry, PlainFileAndMmluFolder) {
  fs::path d = temp_dir("plain");
  std::ofstream(d / "t.txt") << "hello";
  EXPECT_EQ(load_text_corpus((d / "t.txt").string(), std::nullopt).text, "hello");
  EXPECT_EQ(locate_mmlu("mmlu", shared_data()), shared_data() / "mmlu" / "data");
  EXPECT_EQ(locate_mmlu((shared_data() / "mmlu").string(), std::nullopt), shared_data() / "mmlu" / "data");
}

TEST(DatasetRegistry, MissingDatasetSaysWhatToPutWhere) {
  fs::path d = temp_dir("missing");
  ::setenv("EVALQ_DATA_DIR", d.c_str(), 1);
  std::string msg = error_of([&] { load_text_corpus("wikitext2", d); });
  EXPECT_NE(msg.find("wikitext-2/wiki.test.raw"), std::string::npos) << msg;
  EXPECT_NE(msg.find(d.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("huggingface.co"), std::string::npos) << msg;
}

TEST(DatasetRegistry, AlteredCopyIsRefused) {
  fs::path d = temp_dir("altered");
  fs::create_directories(d / "tinystories");
  std::ofstream(d / "tinystories/valid-head.txt") << "not the real file";
  std::string msg = error_of([&] { load_text_corpus("tinystories", d); });
  EXPECT_NE(msg.find("sha256"), std::string::npos) << msg;
}

TEST(DatasetRegistry, UnknownNameOrEmptyFile) {
  std::string msg = error_of([] { load_text_corpus("no-such-corpus", std::nullopt); });
  EXPECT_NE(msg.find("wikitext2"), std::string::npos) << msg;
  fs::path d = temp_dir("empty");
  std::ofstream(d / "e.txt");
  msg = error_of([&] { load_text_corpus((d / "e.txt").string(), std::nullopt); });
  EXPECT_NE(msg.find("empty"), std::string::npos) << msg;
  msg = error_of([&] { locate_mmlu(d.string(), std::nullopt); });
  EXPECT_NE(msg.find("dev/"), std::string::npos) << msg;
}

}  // namespace
