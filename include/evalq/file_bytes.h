#pragma once

#include <filesystem>
#include <string>

namespace evalq {

// The whole file as bytes (text files, CSVs, JSON configs; model weights are memory-mapped instead).
// Throws evalq::Error "PATH: cannot open" plus " (hint)" when a hint is given.
std::string read_file_bytes(const std::filesystem::path& path, const std::string& hint = "");

}  // namespace evalq
