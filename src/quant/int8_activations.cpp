#include "quant/int8_activations.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

namespace evalq {

Int8Rows quantize_rows_int8(const float* a, int64_t rows, int64_t K, int64_t block) {
  Int8Rows r;
  r.rows = rows;
  r.block = block;
  r.n_blocks = (K + block - 1) / block;
  const int64_t padded = r.n_blocks * block;
  r.q.assign(static_cast<size_t>(rows * padded), 0);
  r.scale.assign(static_cast<size_t>(rows * r.n_blocks), 0.0f);
  r.scaled_sum.assign(static_cast<size_t>(rows * r.n_blocks), 0.0f);
  tbb::parallel_for(int64_t{0}, rows, [&](int64_t row) {
    for (int64_t blk = 0; blk < r.n_blocks; ++blk) {
      const int64_t idx = row * r.n_blocks + blk;
      const float* src = a + row * K + blk * block;
      const int64_t count = std::min(block, K - blk * block);
      float amax = 0.0f;
      for (int64_t i = 0; i < count; ++i) amax = std::max(amax, std::fabs(src[i]));
      r.scale[idx] = amax / 127.0f;
      const float inverse = amax != 0.0f ? 127.0f / amax : 0.0f;
      int8_t* dst = r.q.data() + row * padded + blk * block;
      int32_t sum = 0;
      for (int64_t i = 0; i < count; ++i) {
        const float v = std::clamp(std::nearbyint(src[i] * inverse), -128.0f, 127.0f);
        dst[i] = static_cast<int8_t>(v);
        sum += dst[i];
      }
      r.scaled_sum[idx] = r.scale[idx] * static_cast<float>(sum);
    }
  });
  return r;
}

}  // namespace evalq
