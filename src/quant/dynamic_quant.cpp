#include "quant/dynamic_quant.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

namespace evalq {

Uint8Params dynamic_uint8_params(const float* x, int64_t count) {
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  const float zero_point = 0.0f - lo / scale;
  return {scale, static_cast<uint8_t>(std::nearbyint(std::clamp(zero_point, 0.0f, 255.0f)))};
}

void quantize_uint8(const float* x, int64_t count, Uint8Params params, uint8_t* y) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, count, 4096), [&](const tbb::blocked_range<int64_t>& r) {
    for (int64_t i = r.begin(); i < r.end(); ++i) {
      const float v = std::nearbyint(x[i] / params.scale) + static_cast<float>(params.zero_point);
      y[i] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
    }
  });
}

}  // namespace evalq
