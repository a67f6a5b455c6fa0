// Where tensor data lives: one allocator for the buffer pool and for tensors made outside it.
#pragma once

#include <cstddef>

namespace evalq {

// At least `bytes` of 64-byte aligned memory, released with std::free; throws Error when the
// system has none. Buffers of 2 MiB and more are 2 MiB aligned and asked to be backed by
// transparent huge pages (a no-op where THP is off): a 1024-token window's activations and logits
// are tens to hundreds of MiB read with row strides of up to 600 KiB, and with 4 KiB pages the
// TLB misses cost 11 % of the lm_head product and a third of the elementwise ops' time
// (docs/performance.md).
void* allocate_tensor_memory(size_t bytes);

}  // namespace evalq
