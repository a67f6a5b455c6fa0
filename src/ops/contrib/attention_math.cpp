#include "ops/contrib/attention_math.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace evalq {
namespace {

// Independent partial results per lane let the compiler vectorize reductions without
// reassociating a single running value.
constexpr int kLanes = 16;

float row_max(const float* x, int64_t count) {
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

float row_sum(const float* x, int64_t count) {
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

}  // namespace

void softcap_inplace(float* scores, int64_t count, float cap) {
  for (int64_t i = 0; i < count; ++i) scores[i] = cap * std::tanh(scores[i] / cap);
}

void softmax_inplace(float* scores, int64_t count, std::optional<float> sink) {
  if (count <= 0) return;
  float max_score = row_max(scores, count);
  if (sink) max_score = std::max(max_score, *sink);
  for (int64_t i = 0; i < count; ++i) scores[i] = exp_nonpositive(scores[i] - max_score);
  float sum = row_sum(scores, count);
  if (sink) sum += std::exp(*sink - max_score);
  const float inv_sum = 1.f / sum;
  for (int64_t i = 0; i < count; ++i) scores[i] *= inv_sum;
}

}  // namespace evalq
