#include "cli/json_file.h"

#include <evalq/error.h>

#include <fstream>

namespace evalq::cli {

void write_json(const nlohmann::json& doc, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error(path + ": cannot write the --json file");
  out << doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  if (!out) throw Error(path + ": write failed");
}

}  // namespace evalq::cli
