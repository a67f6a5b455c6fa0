#pragma once

#include <evalq/error.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace evalq::tok {

// A node of a parsed tokenizer.json together with its JSON path ("$.model.merges[3]"), so that
// every error names the file and the exact place that was wrong.
class JsonView {
 public:
  JsonView(const nlohmann::json& node, std::string path, std::shared_ptr<const std::string> file)
      : node_(&node), path_(std::move(path)), file_(std::move(file)) {}

  const nlohmann::json& json() const { return *node_; }
  const std::string& path() const { return path_; }

  bool has(std::string_view key) const;  // present and not null
  JsonView at(std::string_view key) const;
  JsonView at(size_t index) const;
  size_t size() const;  // elements of an array (fails on anything else)

  std::string string() const;
  bool boolean() const;
  int64_t integer() const;
  std::string string(std::string_view key) const { return at(key).string(); }
  bool boolean(std::string_view key, bool fallback) const;
  int64_t integer(std::string_view key, int64_t fallback) const;
  // The "type" field that selects a normalizer, pre-tokenizer, model, decoder...
  std::string type() const { return string("type"); }

  [[noreturn]] void fail(const std::string& what) const;

 private:
  const nlohmann::json* node_;
  std::string path_;
  std::shared_ptr<const std::string> file_;
};

}  // namespace evalq::tok
