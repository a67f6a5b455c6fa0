#include <evalq/error.h>
#include <evalq/file_bytes.h>

#include <fstream>
#include <sstream>

namespace evalq {

std::string read_file_bytes(const std::filesystem::path& path, const std::string& hint) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open" + (hint.empty() ? "" : " (" + hint + ")"));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace evalq
