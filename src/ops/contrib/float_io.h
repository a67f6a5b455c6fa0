#pragma once

// Contrib kernels compute in fp32 whatever the model's float type: these helpers read an input
// as fp32 and store fp32 results into an output of the model's dtype (fp32, fp16 or bf16).
#include <evalq/tensor.h>

#include <vector>

#include "exec/kernel.h"

namespace evalq {

// True for the float types contrib kernels accept as activations (fp32, fp16, bf16).
bool is_contrib_float(DType dtype);

// An error naming the node unless `t` is fp32, fp16 or bf16.
void check_contrib_float(const KernelContext& ctx, const Tensor& t, const char* what);

// The input as fp32 (itself when already fp32), after check_contrib_float.
Tensor float_input(const KernelContext& ctx, const Tensor& t, const char* what);

// Elements offset .. offset + count of `src` (fp32, fp16 or bf16) as fp32: a pointer into `src`
// when it is fp32, else the values converted into `buffer`. For kernels that read a few rows of a
// large table (embeddings), so the whole table is not widened on every call.
const float* load_floats(const Tensor& src, int64_t offset, int64_t count, std::vector<float>& buffer);

// Writes `count` fp32 values to `dst`, an array of `dtype` elements starting at element `offset`.
void store_floats(const float* src, int64_t count, Tensor& dst, int64_t offset = 0);

}  // namespace evalq
