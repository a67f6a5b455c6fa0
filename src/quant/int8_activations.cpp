#include "quant/int8_activations.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace evalq {

namespace {

// Rewrites one natural-order row into Int8Order::NibbleGroups (see the header).
void to_nibble_groups(const int8_t* natural, int64_t padded, int8_t* out) {
  const int64_t sub_blocks = padded / 32, full = sub_blocks / 4 * 4;
  for (int64_t sb = 0; sb < sub_blocks; ++sb) {
    const int8_t* src = natural + sb * 32;
    int8_t* even;
    int8_t* odd;
    if (sb < full) {
      even = out + (sb / 4) * 128 + (sb % 4) * 16;
      odd = even + 64;
    } else {
      even = out + sb * 32;
      odd = even + 16;
    }
    for (int i = 0; i < 16; ++i) {
      even[i] = src[2 * i];
      odd[i] = src[2 * i + 1];
    }
  }
}

// GCC 12 flags the _mm512_undefined_* pass-through operands inside its own AVX-512 intrinsics as
// uninitialized; they are never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
float abs_max(const float* src, int64_t count) {
  float amax = 0.0f;
  int64_t i = 0;
#ifdef __AVX512F__
  __m512 lanes = _mm512_setzero_ps();
  for (; i + 16 <= count; i += 16) lanes = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(src + i)), lanes);
  amax = _mm512_reduce_max_ps(lanes);
#endif
  for (; i < count; ++i) amax = std::max(amax, std::fabs(src[i]));
  return amax;
}

// q = clamp(round_half_even(src · inverse), −128, 127) into dst; returns Σq. The vector lanes do
// the same fp32 multiply and rounding as the scalar loop, so the codes are identical.
int32_t quantize_block(const float* src, int64_t count, float inverse, int8_t* dst) {
  int32_t sum = 0;
  int64_t i = 0;
#ifdef __AVX512F__
  const __m512 factor = _mm512_set1_ps(inverse), low = _mm512_set1_ps(-128.0f), high = _mm512_set1_ps(127.0f);
  __m512i sums = _mm512_setzero_si512();
  for (; i + 16 <= count; i += 16) {
    const __m512 rounded = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(src + i), factor),
                                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512i q = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(rounded, low), high));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm512_cvtepi32_epi8(q));
    sums = _mm512_add_epi32(sums, q);
  }
  sum = _mm512_reduce_add_epi32(sums);
#endif
  for (; i < count; ++i) {
    const float v = std::clamp(std::nearbyint(src[i] * inverse), -128.0f, 127.0f);
    dst[i] = static_cast<int8_t>(v);
    sum += dst[i];
  }
  return sum;
}
#pragma GCC diagnostic pop

}  // namespace

Int8Rows quantize_rows_int8(const float* a, int64_t rows, int64_t K, int64_t block, Int8Order order) {
  Int8Rows r;
  r.rows = rows;
  r.block = block;
  r.n_blocks = (K + block - 1) / block;
  r.order = order;
  const int64_t padded = r.n_blocks * block;
  r.q.assign(static_cast<size_t>(rows * padded), 0);
  r.scale.assign(static_cast<size_t>(rows * r.n_blocks), 0.0f);
  r.scaled_sum.assign(static_cast<size_t>(rows * r.n_blocks), 0.0f);
  const int64_t sub_blocks = order == Int8Order::NibbleGroups ? padded / 32 : 0;
  r.sub_block_sums.assign(static_cast<size_t>(rows * sub_blocks), 0);
  tbb::parallel_for(int64_t{0}, rows, [&](int64_t row) {
    for (int64_t blk = 0; blk < r.n_blocks; ++blk) {
      const int64_t idx = row * r.n_blocks + blk;
      const float* src = a + row * K + blk * block;
      const int64_t count = std::min(block, K - blk * block);
      const float amax = abs_max(src, count);
      r.scale[idx] = amax / 127.0f;
      const float inverse = amax != 0.0f ? 127.0f / amax : 0.0f;
      const int32_t sum = quantize_block(src, count, inverse, r.q.data() + row * padded + blk * block);
      r.scaled_sum[idx] = r.scale[idx] * static_cast<float>(sum);
    }
    if (order == Int8Order::NibbleGroups) {
      int8_t* q = r.q.data() + row * padded;
      for (int64_t sb = 0; sb < sub_blocks; ++sb) {
        int32_t sum = 0;
        for (int64_t i = 0; i < 32; ++i) sum += q[sb * 32 + i];
        r.sub_block_sums[row * sub_blocks + sb] = sum;
      }
      const std::vector<int8_t> natural(q, q + padded);
      to_nibble_groups(natural.data(), padded, q);
    }
  });
  return r;
}

NibbleLaneTerms nibble_lane_terms(const Int8Rows& rows, int32_t zero_point) {
  NibbleLaneTerms t;
  const int64_t sub_blocks = rows.n_blocks * rows.block / 32, per_block = rows.block / 32;
  t.groups = sub_blocks / 4;
  t.scale.assign(static_cast<size_t>(rows.rows * t.groups * 16), 0.0f);
  t.start.assign(static_cast<size_t>(rows.rows * t.groups * 16), 0);
  tbb::parallel_for(int64_t{0}, rows.rows, [&](int64_t row) {
    for (int64_t sb = 0; sb < t.groups * 4; ++sb) {
      const int64_t lane = (row * t.groups * 4 + sb) * 4;
      std::fill_n(t.scale.begin() + lane, 4, rows.scale[row * rows.n_blocks + sb / per_block]);
      t.start[lane] = -zero_point * rows.sub_block_sums[row * sub_blocks + sb];
    }
  });
  return t;
}

}  // namespace evalq
