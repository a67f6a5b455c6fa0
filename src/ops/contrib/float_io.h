#pragma once

// Contrib kernels compute in fp32 whatever the model's float type: these helpers read an input
// as fp32 and store fp32 results into an output of the model's dtype (fp32, fp16 or bf16).
#include <evalq/tensor.h>

#include "exec/kernel.h"

namespace evalq {

// True for the float types contrib kernels accept as activations (fp32, fp16, bf16).
bool is_contrib_float(DType dtype);

// The input as fp32 (itself when already fp32); an error naming the node unless it is fp32,
// fp16 or bf16.
Tensor float_input(const KernelContext& ctx, const Tensor& t, const char* what);

// Writes `count` fp32 values to `dst`, an array of `dtype` elements starting at element `offset`.
void store_floats(const float* src, int64_t count, Tensor& dst, int64_t offset = 0);

}  // namespace evalq
