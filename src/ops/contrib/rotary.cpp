#include "ops/contrib/rotary.h"

namespace evalq {

void rotate_head(const float* in, float* out, const float* cos_row, const float* sin_row, int64_t rotary_dim,
                 int64_t head_size, bool interleaved) {
  const int64_t half = rotary_dim / 2;
  for (int64_t i = 0; i < rotary_dim; ++i) {
    int64_t cache_idx, partner;
    float sign;
    if (interleaved) {
      cache_idx = (i / 2) % half;
      sign = (i % 2 == 0) ? -1.f : 1.f;
      partner = (i % 2 == 0) ? i + 1 : i - 1;
    } else {
      cache_idx = i % half;
      sign = (i < half) ? -1.f : 1.f;
      partner = (i + half) % rotary_dim;
    }
    out[i] = in[i] * cos_row[cache_idx] + sign * in[partner] * sin_row[cache_idx];
  }
  for (int64_t i = rotary_dim; i < head_size; ++i) out[i] = in[i];
}

}  // namespace evalq
