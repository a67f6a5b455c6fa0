#pragma once

#include <evalq/tensor.h>

#include <filesystem>

namespace evalq {

// NumPy .npy files (format 1.0/2.0, C order, little endian).
Tensor read_npy(const std::filesystem::path& path);
void write_npy(const std::filesystem::path& path, const Tensor& tensor);

}  // namespace evalq
