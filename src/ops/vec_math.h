#pragma once

// Float loops written so the compiler vectorizes them (no -ffast-math needed): reductions over
// independent lanes, and exp of non-positive arguments by a polynomial. Shared by the softmax of
// ai.onnx Softmax, the attention kernels and Sigmoid.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace evalq {

// Independent partial results per lane let the compiler vectorize reductions without
// reassociating a single running value.
constexpr int kLanes = 16;

inline float row_max(const float* x, int64_t count) {
  float lanes[kLanes];
  std::fill(lanes, lanes + kLanes, -INFINITY);
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) lanes[l] = std::max(lanes[l], x[i + l]);
  }
  float m = *std::max_element(lanes, lanes + kLanes);
  for (; i < count; ++i) m = std::max(m, x[i]);
  return m;
}

inline float row_sum(const float* x, int64_t count) {
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) lanes[l] += x[i + l];
  }
  float s = 0.f;
  for (int l = 0; l < kLanes; ++l) s += lanes[l];
  for (; i < count; ++i) s += x[i];
  return s;
}

// exp(x) for x <= 0 (scores minus their max), within ~2 ulp of expf, in a form the compiler
// vectorizes: 2^round(x log2 e) times a degree-6 polynomial (Cephes expf) of the remainder.
inline float exp_nonpositive(float x) {
  x = std::max(x, -87.3f);  // keeps 2^m a normal float; exp(-87.3) is below every sum's ulp
  // Round to nearest by adding and removing 1.5 * 2^23 (floorf does not vectorize unless
  // -fno-trapping-math).
  const float m = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const float r = (x - m * 0.693359375f) + m * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.f;
  return e * std::bit_cast<float>((static_cast<int32_t>(m) + 127) << 23);
}

// softmax(x) in place over one contiguous row: exp(x - max) / sum, scaled by 1/sum as ONNX
// Runtime's MLAS kernel does.
inline void softmax_row(float* x, int64_t count) {
  if (count <= 0) return;
  const float max_value = row_max(x, count);
  for (int64_t i = 0; i < count; ++i) x[i] = exp_nonpositive(x[i] - max_value);
  const float inv_sum = 1.f / row_sum(x, count);
  for (int64_t i = 0; i < count; ++i) x[i] *= inv_sum;
}

// 1 / (1 + exp(-x)) through exp of -|x|, so that the exponential never overflows.
inline float sigmoid(float x) {
  const float e = exp_nonpositive(-std::fabs(x));
  const float r = 1.f / (1.f + e);
  return x >= 0.f ? r : e * r;
}

}  // namespace evalq
