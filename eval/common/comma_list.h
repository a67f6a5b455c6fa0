#pragma once

// Comma-separated lists as the command line and metric options spell them (`--seq 256,512`,
// `--tokens 1,2,3`, `--metrics ppl,kld`, `--subjects a,b`).
#include <cstdint>
#include <string>
#include <vector>

namespace evalq {

// The non-empty items of `text` ("a,,b," gives a and b).
std::vector<std::string> split_comma_list(const std::string& text);

// Every item of `text` as an integer; an item that is not one (an empty item included) throws
// Error("FLAG: 'ITEM' is not NOUN"), and so does a list with no items ("FLAG: no values given").
std::vector<int64_t> parse_integer_list(const std::string& text, const std::string& flag,
                                        const std::string& noun = "an integer");

}  // namespace evalq
