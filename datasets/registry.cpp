#include "registry.h"

#include <evalq/error.h>
#include <evalq/file_bytes.h>
#include <evalq/sha256.h>

#include <cstdlib>
#include <map>
#include <mutex>

namespace fs = std::filesystem;

namespace evalq {
namespace {

std::vector<fs::path> search_roots(const std::optional<fs::path>& data_dir) {
  std::vector<fs::path> roots;
  if (data_dir) roots.push_back(*data_dir);
  if (const char* env = std::getenv("EVALQ_DATA_DIR"); env && *env) roots.emplace_back(env);
  if (const char* home = std::getenv("HOME"); home && *home) roots.push_back(fs::path(home) / ".cache" / "evalq");
  return roots;
}

// Files are hashed once per process: a 1 MB corpus costs a few ms, but metrics ask repeatedly.
bool verified(const fs::path& file, const std::string& sha256) {
  static std::mutex mutex;
  static std::map<std::string, bool> cache;
  std::lock_guard lock(mutex);
  auto key = fs::absolute(file).string();
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  bool ok = sha256_hex(read_file_bytes(file)) == sha256;
  cache[key] = ok;
  return ok;
}

// HF's wikitext builder yields every line of wiki.test.raw as a row (its "\n" kept) and blank
// lines as empty rows; ModelOpt and the HF perplexity guide join the rows with "\n\n".
std::string assemble_wikitext(const std::string& raw) {
  std::string out;
  out.reserve(raw.size() * 2);
  size_t pos = 0;
  bool first = true;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    size_t end = nl == std::string::npos ? raw.size() : nl + 1;
    std::string_view line(raw.data() + pos, end - pos);
    if (!first) out += "\n\n";
    first = false;
    if (line.find_first_not_of(" \t\r\n") != std::string_view::npos) out += line;
    pos = end;
  }
  return out;
}

}  // namespace

const std::vector<DatasetEntry>& dataset_registry() {
  static const std::vector<DatasetEntry> entries = {
      {"wikitext2", "WikiText-2 raw test split (wikitext-2-raw-v1), rows joined with \"\\n\\n\" as HF/ModelOpt do",
       {{"wikitext-2/wiki.test.raw", "173c87a53759e0201f33e0ccf978e510c2042d7f2cb78229d9a50d79b9e7dd08"}},
       "https://huggingface.co/datasets/Salesforce/wikitext (wikitext-2-raw-v1, test; the classic wiki.test.raw layout)"},
      {"tinystories", "TinyStories validation split, head (stories stripped and followed by a blank line)",
       {{"tinystories/valid-head.txt", "5fc1fb0113df62b567fb271806cd645ce8d75f59c58ca0b764c03d3b6ff34ca6"}},
       "https://huggingface.co/datasets/roneneldan/TinyStories (validation split)"},
      {"mmlu", "MMLU, 57 subjects, hendrycks CSV layout (dev/ and test/ folders)",
       {{"mmlu/data/dev", ""}, {"mmlu/data/test", ""}},
       "https://people.eecs.berkeley.edu/~hendrycks/data.tar (unpack data/ into mmlu/)"},
  };
  return entries;
}

const DatasetEntry* find_dataset(const std::string& name) {
  for (const auto& e : dataset_registry()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

fs::path locate_dataset(const DatasetEntry& entry, const std::optional<fs::path>& data_dir) {
  auto roots = search_roots(data_dir);
  for (const auto& root : roots) {
    bool all = true;
    for (const auto& f : entry.files) all = all && fs::exists(root / f.path);
    if (!all) continue;
    for (const auto& f : entry.files) {
      if (!f.sha256.empty() && !verified(root / f.path, f.sha256)) {
        throw Error((root / f.path).string() + ": sha256 does not match the registry's " + f.sha256 +
                    " for dataset '" + entry.name + "' (a different or altered copy)");
      }
    }
    return root;
  }
  std::string where;
  for (const auto& r : roots) where += (where.empty() ? "" : ", ") + r.string();
  std::string files;
  for (const auto& f : entry.files) files += (files.empty() ? "" : ", ") + f.path;
  throw Error("dataset '" + entry.name + "' not found: put " + files + " under one of: " +
              (where.empty() ? std::string("--data-dir, $EVALQ_DATA_DIR or ~/.cache/evalq") : where) +
              " (source: " + entry.source_url + ")");
}

TextCorpus load_text_corpus(const std::string& data, const std::optional<fs::path>& data_dir) {
  if (const DatasetEntry* e = find_dataset(data); e && e->name != "mmlu") {
    fs::path root = locate_dataset(*e, data_dir);
    std::string raw = read_file_bytes(root / e->files.front().path);
    TextCorpus c{e->name, e->name == "wikitext2" ? assemble_wikitext(raw) : std::move(raw), ""};
    c.sha256 = sha256_hex(c.text);
    return c;
  }
  if (!fs::is_regular_file(data)) {
    std::string names;
    for (const auto& e : dataset_registry()) names += (names.empty() ? "" : ", ") + e.name;
    throw Error("--data '" + data + "' is neither a readable file nor a known dataset (" + names + ")");
  }
  TextCorpus c{data, read_file_bytes(data), ""};
  if (c.text.empty()) throw Error(data + ": the file is empty");
  c.sha256 = sha256_hex(c.text);
  return c;
}

fs::path locate_mmlu(const std::string& data, const std::optional<fs::path>& data_dir) {
  if (data == "mmlu") {
    return locate_dataset(*find_dataset("mmlu"), data_dir) / "mmlu" / "data";
  }
  fs::path p(data);
  if (fs::is_directory(p / "dev") && fs::is_directory(p / "test")) return p;
  if (fs::is_directory(p / "data" / "dev") && fs::is_directory(p / "data" / "test")) return p / "data";
  throw Error("--data '" + data + "': expected a folder holding dev/ and test/ (or data/dev and data/test), or 'mmlu'");
}

}  // namespace evalq
