#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "evalq/tensor.h"

namespace evalq {

// Copies into a contiguous destination of `out_shape` the elements found at
// src + sum(index[d] * src_strides[d]) (strides in elements, 0 for broadcast). Used by
// Transpose, Slice and Expand; rows whose source is contiguous are copied with memcpy, rows run
// in parallel when large.
void strided_copy(const void* src, const Shape& out_shape, const std::vector<int64_t>& src_strides, void* dst,
                  size_t element_size);

}  // namespace evalq
