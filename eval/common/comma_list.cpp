#include "common/comma_list.h"

#include <evalq/error.h>

#include <sstream>
#include <stdexcept>

namespace evalq {
namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

std::vector<std::string> split_comma_list(const std::string& text) {
  std::vector<std::string> out;
  for (std::string& item : split(text)) {
    if (!item.empty()) out.push_back(std::move(item));
  }
  return out;
}

std::vector<int64_t> parse_integer_list(const std::string& text, const std::string& flag, const std::string& noun) {
  std::vector<int64_t> values;
  for (const std::string& item : split(text)) {
    try {
      size_t used = 0;
      values.push_back(std::stoll(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw Error(flag + ": '" + item + "' is not " + noun);
    }
  }
  if (values.empty()) throw Error(flag + ": no values given");
  return values;
}

}  // namespace evalq
