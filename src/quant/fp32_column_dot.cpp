#include "quant/fp32_column_dot.h"

#if defined(__AVX512F__) && defined(__AVX512BW__)
#include <immintrin.h>
#define EVALQ_FP32_COLUMN_DOT 1
#endif

namespace evalq {

#ifdef EVALQ_FP32_COLUMN_DOT
// GCC 12 flags the _mm512_undefined_* pass-through operands inside its own AVX-512 intrinsics as
// uninitialized; they are never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace {

constexpr int kMaxRows = 4;

// Weights k .. k + 16 of the column, dequantized.
inline __m512 weights16(const uint8_t* bytes, int bits, int64_t k, __m512 zero_point, __m512 scale) {
  __m128i codes;
  if (bits == 8) {
    codes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + k));
  } else {
    // 8 packed bytes: low nibble element 2j, high nibble 2j + 1.
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m128i packed = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes + k / 2));
    codes = _mm_unpacklo_epi8(_mm_and_si128(packed, mask), _mm_and_si128(_mm_srli_epi16(packed, 4), mask));
  }
  return _mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(codes)), zero_point), scale);
}

template <int M>
void column_dot(const float* a, int64_t K, const uint8_t* bytes, int bits, int64_t block, const float* scales,
                const float* zero_points, float* out, int64_t out_stride) {
  __m512 acc[kMaxRows];
  for (int m = 0; m < M; ++m) acc[m] = _mm512_setzero_ps();
  const int64_t n_blocks = (K + block - 1) / block;
  for (int64_t blk = 0; blk < n_blocks; ++blk) {
    const __m512 s = _mm512_set1_ps(scales[blk]), z = _mm512_set1_ps(zero_points[blk]);
    const int64_t begin = blk * block, end = begin + block < K ? begin + block : K;
    int64_t k = begin;
    for (; k + 16 <= end; k += 16) {
      const __m512 w = weights16(bytes, bits, k, z, s);
      for (int m = 0; m < M; ++m) acc[m] = _mm512_fmadd_ps(w, _mm512_loadu_ps(a + m * K + k), acc[m]);
    }
    if (k < end) {  // K's tail: the padding codes meet zeros
      const __mmask16 valid = static_cast<__mmask16>((1u << (end - k)) - 1);
      const __m512 w = weights16(bytes, bits, k, z, s);
      for (int m = 0; m < M; ++m) acc[m] = _mm512_fmadd_ps(w, _mm512_maskz_loadu_ps(valid, a + m * K + k), acc[m]);
    }
  }
  for (int m = 0; m < M; ++m) out[m * out_stride] = _mm512_reduce_add_ps(acc[m]);
}

}  // namespace
#pragma GCC diagnostic pop
#endif

void fp32_column_dot(const float* a, int64_t M, int64_t K, const uint8_t* column_bytes, int bits, int64_t block,
                     const float* scales, const float* zero_points, float* out, int64_t out_stride) {
#ifdef EVALQ_FP32_COLUMN_DOT
  switch (M) {
    case 1: column_dot<1>(a, K, column_bytes, bits, block, scales, zero_points, out, out_stride); return;
    case 2: column_dot<2>(a, K, column_bytes, bits, block, scales, zero_points, out, out_stride); return;
    case 3: column_dot<3>(a, K, column_bytes, bits, block, scales, zero_points, out, out_stride); return;
    default: column_dot<4>(a, K, column_bytes, bits, block, scales, zero_points, out, out_stride); return;
  }
#else
  float sum[4] = {};
  for (int64_t k = 0; k < K; ++k) {
    const int64_t blk = k / block;
    const int code = bits == 8 ? column_bytes[k] : (k & 1 ? column_bytes[k >> 1] >> 4 : column_bytes[k >> 1] & 0x0F);
    const float w = (static_cast<float>(code) - zero_points[blk]) * scales[blk];
    for (int64_t m = 0; m < M; ++m) sum[m] += a[m * K + k] * w;
  }
  for (int64_t m = 0; m < M; ++m) out[m * out_stride] = sum[m];
#endif
}

}  // namespace evalq
