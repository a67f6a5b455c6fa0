#pragma once

#include <string>
#include <string_view>

namespace evalq {

// Lower-case hex SHA-256 of `data` (fingerprints of tokenizers, models and data files).
std::string sha256_hex(std::string_view data);

}  // namespace evalq
