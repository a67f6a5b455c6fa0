#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace evalq::cli {

// Writes `doc` (one-space indent; invalid UTF-8 in strings, e.g. a decoded partial token, replaced
// by U+FFFD) to `path`, throwing evalq::Error naming the file when it cannot be written.
void write_json(const nlohmann::json& doc, const std::string& path);

}  // namespace evalq::cli
