#pragma once

#include <stdexcept>
#include <string>

namespace evalq {

// The one exception type the engine throws at its boundary. The message names the file, node,
// JSON path or line involved and what was expected, so the CLI can print it as is.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace evalq
