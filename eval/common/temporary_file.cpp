#include "common/temporary_file.h"

#include <unistd.h>

#include <atomic>

namespace evalq {

TemporaryFile::TemporaryFile(const std::string& stem, const std::string& extension) {
  static std::atomic<int> counter{0};
  path_ = (std::filesystem::temp_directory_path() /
           (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + extension))
              .string();
}

TemporaryFile::~TemporaryFile() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace evalq
