#pragma once

#include <filesystem>
#include <string>

namespace evalq {

// A file name in the temp folder, unique within the process (pid + counter), removed when this
// goes out of scope; removal errors are ignored, so unwinding never throws.
class TemporaryFile {
 public:
  TemporaryFile(const std::string& stem, const std::string& extension);
  ~TemporaryFile();
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace evalq
