#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace evalq::tok {

// Hashing that lets string-keyed maps be searched with a string_view (no temporary string).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace evalq::tok
