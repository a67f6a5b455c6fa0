#pragma once

// ONNX Runtime CPU's default session rewrites DequantizeLinear(blocked 4- or 8-bit weight) → MatMul
// into MatMulNBits (accuracy_level from `session.qdq_matmulnbits_accuracy_level`, default 4), which
// changes the numbers (int8 activations). `--numerics ort-cpu` must do the same rewrite; this
// converts the DequantizeLinear initializers into MatMulNBits inputs.
//
// The pattern ORT (1.32) fuses: x int4/uint4/int8/uint8 [K, N] constant, axis 0, block_size a
// power of 2 >= 16, scale [ceil(K / block_size), N] constant, zero point absent or constant.
// MatMulNBits stores unsigned codes, so signed values gain 2^(bits-1) (and their zero points
// too); unsigned ones without zero points need explicit zero points of 0, since MatMulNBits'
// implicit zero point is 2^(bits-1).
#include <evalq/tensor.h>

#include <optional>

#include "quant/nbits_weights.h"

namespace evalq {

struct NBitsInputs {
  NBitsShape shape;
  Tensor b;            // uint8 [N, n_blocks, block_size * bits / 8]
  Tensor scales;       // the scale's type, [N * n_blocks]
  Tensor zero_points;  // uint8 [N * ceil(n_blocks * bits / 8)], or undefined for the implicit one
};

// The MatMulNBits inputs equivalent to DequantizeLinear(x, scale, zero_point, axis, block_size),
// or nullopt when ORT would not fuse this DequantizeLinear.
std::optional<NBitsInputs> nbits_from_blocked_dq(const Tensor& x, const Tensor& scale, const Tensor* zero_point,
                                                 int64_t axis, int64_t block_size);

}  // namespace evalq
