#pragma once

// Quantizers that reproduce, bit for bit, the weights the genuine tools write, so that a simulated
// model is the model those tools would have produced.
#include <evalq/tensor.h>

#include <cstdint>

namespace evalq {

// MatMulNBits weights as ONNX Runtime's quantizer (MLAS BlockwiseQuantizer, used by
// MatMulNBitsQuantizer and Model Builder) writes them, from a row-major [K, N] fp32 weight:
// packed  uint8 [N, ceil(K/block), block*bits/8] (4-bit: low nibble = even k),
// scales  fp32 [N * ceil(K/block)] (n-major),
// zero_points (asymmetric only) uint8 [N, ceil(blocks*bits/8)] (4-bit: two per byte).
// Symmetric: scale = (block's largest-magnitude value, signed) / -2^(bits-1), implicit zero point
// 2^(bits-1). Asymmetric: scale = (max(max,0) - min(min,0)) / (2^bits - 1), zero point
// roundf(-min/scale) clamped. q = clamp(roundf(w * (1/scale) + zp), 0, 2^bits - 1). K padding past
// the last row holds the zero point (Model Builder's files; the padded values are never read).
struct NBitsWeight {
  Tensor packed, scales, zero_points;
  int64_t K = 0, N = 0, bits = 0, block = 0;
};
NBitsWeight quantize_nbits_ort(const float* w, int64_t K, int64_t N, int bits, int64_t block, bool symmetric);

// Weights for a DequantizeLinear -> MatMul pair: q [K, N] in `q.dtype()`, scale fp32 [blocks, N]
// (blocked, axis 0) or [N] (per output channel, axis 1), optional zero_point like scale.
struct DqWeight {
  Tensor q, scale, zero_point;
  int64_t axis = 0;
  int64_t block = 0;  // 0 = per channel
};

// NVIDIA ModelOpt INT4 RTN (dq_only): scale = max(max|w| over the block, ...) / 7 (at least 1e-5
// after the division), q = clip(rint(w / scale), -8, 7), ONNX INT4 [K, N].
DqWeight quantize_modelopt_int4(const float* w, int64_t K, int64_t N, int64_t block);

// Per output channel: int8 symmetric (ORT quantize_static convention: scale = 2*absmax/254,
// q = clip(round-half-even(w/scale), -127, 127)), uint8 asymmetric (scale = (max-min)/255 over a
// range including 0, zero point round(-min/scale)), or fp8 e4m3fn (scale = absmax/448, saturating).
enum class ChannelFormat { Int8Sym, UInt8Asym, Fp8E4M3 };
DqWeight quantize_per_channel(const float* w, int64_t K, int64_t N, ChannelFormat format);

}  // namespace evalq
