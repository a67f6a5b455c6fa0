#pragma once

// (A − a_zero_point) × (B − b_zero_point) for uint8/int8 operands, exact in int32, with ONNX
// MatMul shapes (rank-1 operands, broadcast batch dimensions). Shared by MatMulInteger,
// MatMulIntegerToFloat, DynamicQuantizeMatMul and QLinearMatMul.
#include <evalq/tensor.h>

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace evalq {

struct IntegerProduct {
  Shape shape;                 // the MatMul output shape
  int64_t N = 0;               // columns (the last output dimension, 1 for a rank-1 B)
  std::vector<int32_t> values;  // row-major over `shape`
};

// a_zp: one value, or one per row of A (M values); b_zp: one value, or one per column (N values);
// empty means 0.
IntegerProduct integer_matmul(const Tensor& a, const Tensor& b, const std::vector<int32_t>& a_zp,
                              const std::vector<int32_t>& b_zp, const Node& node);

}  // namespace evalq
