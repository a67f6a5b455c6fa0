#pragma once

// The datasets evalq knows by name. Files are never downloaded at run time: they are looked up
// in --data-dir, $EVALQ_DATA_DIR, then ~/.cache/evalq, checked against their sha256, and when
// missing the error says which file to put where and where to get it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace evalq {

struct DatasetFile {
  std::string path;    // relative to the data folder
  std::string sha256;  // empty for folders
};

struct DatasetEntry {
  std::string name;         // "wikitext2", "tinystories", "mmlu"
  std::string description;  // one line for `evalq datasets` and errors
  std::vector<DatasetFile> files;
  std::string source_url;   // where a user gets the files
};

const std::vector<DatasetEntry>& dataset_registry();
const DatasetEntry* find_dataset(const std::string& name);

// The folder holding all of `entry`'s files (verified), searching data_dir, $EVALQ_DATA_DIR and
// ~/.cache/evalq in that order. Throws evalq::Error naming the missing or corrupt file.
std::filesystem::path locate_dataset(const DatasetEntry& entry, const std::optional<std::filesystem::path>& data_dir);

// A text corpus for perplexity-style metrics: `data` is a registry name or a UTF-8 file. Registry
// corpora are assembled as the reference tools do (WikiText-2: the Hugging Face rows, blank lines
// as empty rows, joined with "\n\n").
struct TextCorpus {
  std::string name;    // registry name or the file path
  std::string text;
  std::string sha256;  // of `text`, for fingerprints
};
TextCorpus load_text_corpus(const std::string& data, const std::optional<std::filesystem::path>& data_dir);

// The MMLU folder holding dev/ and test/ (given directly, as DIR/data, or by the name "mmlu").
std::filesystem::path locate_mmlu(const std::string& data, const std::optional<std::filesystem::path>& data_dir);

}  // namespace evalq
