#pragma once

// Dynamic uint8 quantization as ONNX DynamicQuantizeLinear and ONNX Runtime's dynamic
// quantization ops compute it: the range [min(x, 0), max(x, 0)] maps onto 0..255,
//   scale = (max − min) / 255 (1 when max == min), zero_point = round_half_even(clamp(−min / scale, 0, 255)),
//   y = saturate(round_half_even(x / scale) + zero_point).
#include <cstdint>

namespace evalq {

struct Uint8Params {
  float scale;
  uint8_t zero_point;
};

Uint8Params dynamic_uint8_params(const float* x, int64_t count);
void quantize_uint8(const float* x, int64_t count, Uint8Params params, uint8_t* y);

}  // namespace evalq
