#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

namespace evalq {

// A whole file mapped read-only into memory. Weights are used where they lie in the mapping;
// tensors viewing it hold a shared_ptr so the mapping outlives them.
class MappedFile {
 public:
  static std::shared_ptr<const MappedFile> open(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const unsigned char* data() const { return static_cast<const unsigned char*>(data_); }
  size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
  std::filesystem::path path_;
};

}  // namespace evalq
