#include "core/tensor_memory.h"

#include <evalq/error.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace evalq {

void* allocate_tensor_memory(size_t bytes) {
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t wanted = std::max<size_t>(bytes, 1);
  void* p = nullptr;
  if (wanted >= kHugePage) {
    const size_t rounded = (wanted + kHugePage - 1) / kHugePage * kHugePage;
    p = std::aligned_alloc(kHugePage, rounded);
    if (p) madvise(p, rounded, MADV_HUGEPAGE);
  } else {
    p = std::aligned_alloc(64, (wanted + 63) / 64 * 64);
  }
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  return p;
}

}  // namespace evalq
