#include "quant/int8_dot.h"

#include <cmath>

#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
#include <immintrin.h>
#define EVALQ_INT8_DOT_SIMD 1
#define EVALQ_INT8_DOT_VNNI 1
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define EVALQ_INT8_DOT_SIMD 1
#endif

namespace evalq {
namespace {

// Portable version: exact int32 block dots, one fma per block.
[[maybe_unused]] void int8_row_dot_scalar(const Int8Row& row, const Int8Columns& cols, int64_t n_blocks,
                                          int64_t block, float* out) {
  for (int j = 0; j < cols.count; ++j) {
    float acc = 0.0f;
    for (int64_t blk = 0; blk < n_blocks; ++blk) {
      const int8_t* a = row.q + blk * block;
      int32_t dot = 0;
      for (int64_t i = 0; i < block; ++i) {
        const int64_t k = blk * block + i;
        const int32_t code = cols.packed4 ? (k & 1 ? cols.codes[j][k >> 1] >> 4 : cols.codes[j][k >> 1] & 0x0F)
                                          : cols.codes[j][k];
        dot += static_cast<int32_t>(a[i]) * code;
      }
      acc = std::fma(static_cast<float>(dot), row.scale[blk] * cols.scale[j][blk], acc);
    }
    out[j] += acc;
  }
}

#ifdef EVALQ_INT8_DOT_SIMD
// acc + the 32 products code[i] · a[i], summed in eight int32 lanes. VPDPBUSD multiplies
// unsigned bytes (the weight codes) by signed bytes (the activations), exactly this product;
// plain AVX2 widens both to int16 first (VPMADDUBSW would saturate for 8-bit codes).
inline __m256i dot32(__m256i acc, __m256i codes, __m256i a) {
#ifdef EVALQ_INT8_DOT_VNNI
  return _mm256_dpbusd_epi32(acc, codes, a);
#else
  const __m256i lo = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(codes)),
                                       _mm256_cvtepi8_epi16(_mm256_castsi256_si128(a)));
  const __m256i hi = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(codes, 1)),
                                       _mm256_cvtepi8_epi16(_mm256_extracti128_si256(a, 1)));
  return _mm256_add_epi32(acc, _mm256_add_epi32(lo, hi));
#endif
}

// The 16 products of one 16-wide block in eight int32 lanes.
inline __m256i dot16(__m128i codes, __m128i a) {
#ifdef EVALQ_INT8_DOT_VNNI
  return _mm256_zextsi128_si256(_mm_dpbusd_epi32(_mm_setzero_si128(), codes, a));
#else
  return _mm256_madd_epi16(_mm256_cvtepu8_epi16(codes), _mm256_cvtepi8_epi16(a));
#endif
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// 32 codes starting at element k: bytes as they are, or 16 packed bytes split into nibbles and
// interleaved back into element order.
template <bool Packed4>
inline __m256i load_codes32(const uint8_t* codes, int64_t k) {
  if constexpr (Packed4) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + k / 2));
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m128i lo = _mm_and_si128(bytes, mask), hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask);
    return _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));
  } else {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + k));
  }
}

template <bool Packed4>
inline __m128i load_codes16(const uint8_t* codes, int64_t k) {
  if constexpr (Packed4) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(codes + k / 2));
    const __m128i mask = _mm_set1_epi8(0x0F);
    return _mm_unpacklo_epi8(_mm_and_si128(bytes, mask), _mm_and_si128(_mm_srli_epi16(bytes, 4), mask));
  } else {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + k));
  }
}

// Lanes hold exact partial sums, scaled per block like ORT's kernels.
template <int NC, bool Packed4>
void int8_row_dot_simd(const Int8Row& row, const Int8Columns& cols, int64_t n_blocks, int64_t block, float* scratch,
                       float* out) {
  float* combined[NC];
  for (int j = 0; j < NC; ++j) {
    float* __restrict dst = scratch + j * n_blocks;
    const float* __restrict a_scale = row.scale;
    const float* __restrict b_scale = cols.scale[j];
    for (int64_t blk = 0; blk < n_blocks; ++blk) dst[blk] = a_scale[blk] * b_scale[blk];
    combined[j] = dst;
  }
  __m256 acc[NC];
  for (int j = 0; j < NC; ++j) acc[j] = _mm256_setzero_ps();
  if (block >= 32) {
    for (int64_t blk = 0; blk < n_blocks; ++blk) {
      const int8_t* a = row.q + blk * block;
      __m256i isum[NC];
      for (int j = 0; j < NC; ++j) isum[j] = _mm256_setzero_si256();
      for (int64_t c = 0; c < block; c += 32) {
        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + c));
        for (int j = 0; j < NC; ++j) {
          const __m256i bv = load_codes32<Packed4>(cols.codes[j], blk * block + c);
          isum[j] = dot32(isum[j], bv, av);
        }
      }
      for (int j = 0; j < NC; ++j) {
        acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[j]), _mm256_broadcast_ss(combined[j] + blk), acc[j]);
      }
    }
  } else {  // block 16
    int64_t blk = 0;
#ifdef EVALQ_INT8_DOT_VNNI
    // Two blocks per register: VPDPBUSD keeps bytes 0-15 in lanes 0-3 and bytes 16-31 in 4-7.
    for (; blk + 1 < n_blocks; blk += 2) {
      const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row.q + blk * 16));
      for (int j = 0; j < NC; ++j) {
        const __m256i bv = load_codes32<Packed4>(cols.codes[j], blk * 16);
        const __m256i isum = dot32(_mm256_setzero_si256(), bv, av);
        const __m256 scales = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_broadcast_ss(combined[j] + blk)),
                                                   _mm_broadcast_ss(combined[j] + blk + 1), 1);
        acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scales, acc[j]);
      }
    }
#endif
    for (; blk < n_blocks; ++blk) {
      const __m128i av = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row.q + blk * 16));
      for (int j = 0; j < NC; ++j) {
        const __m128i bv = load_codes16<Packed4>(cols.codes[j], blk * 16);
        const __m256i isum = dot16(bv, av);
        acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_broadcast_ss(combined[j] + blk), acc[j]);
      }
    }
  }
  for (int j = 0; j < NC; ++j) out[j] += hsum(acc[j]);
}

#ifdef EVALQ_INT8_DOT_VNNI
// GCC 12 flags the _mm512_undefined_* pass-through operands inside its own AVX-512 intrinsics as
// uninitialized; they are never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Rows in Int8Order::NibbleGroups against packed 4-bit columns, block >= 32: four 32-element
// sub-blocks per step, 512 bits wide. The low nibbles of 64 packed bytes are the even elements of
// four sub-blocks (one per 128-bit lane), the high nibbles the odd ones, matching the rows' order,
// so each 128-bit lane of the two VPDPBUSD results sums one sub-block. NR rows share each decoded
// column. `scratch` holds NR * 4 * n_blocks floats.
template <int NR, int NC>
void int8_rows_dot_nibbles(const Int8Row* rows, const Int8Columns& cols, int64_t n_blocks, int64_t block,
                           float* scratch, float* const* out) {
  float* combined[NR][NC];
  for (int r = 0; r < NR; ++r) {
    for (int j = 0; j < NC; ++j) {
      float* __restrict dst = scratch + (r * 4 + j) * n_blocks;
      const float* __restrict a_scale = rows[r].scale;
      const float* __restrict b_scale = cols.scale[j];
      for (int64_t blk = 0; blk < n_blocks; ++blk) dst[blk] = a_scale[blk] * b_scale[blk];
      combined[r][j] = dst;
    }
  }
  const int64_t sub_blocks = n_blocks * block / 32, full = sub_blocks / 4 * 4;
  const int shift = block == 32 ? 0 : block == 64 ? 1 : block == 128 ? 2 : 3;  // sub-block → block
  const __m512i mask = _mm512_set1_epi8(0x0F);
  const __m512i lane_of_scale = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  __m512 acc[NR][NC];
  for (int r = 0; r < NR; ++r) {
    for (int j = 0; j < NC; ++j) acc[r][j] = _mm512_setzero_ps();
  }
  for (int64_t sb = 0; sb < full; sb += 4) {
    __m512i a_even[NR], a_odd[NR];
    for (int r = 0; r < NR; ++r) {
      a_even[r] = _mm512_loadu_si512(rows[r].q + sb * 32);
      a_odd[r] = _mm512_loadu_si512(rows[r].q + sb * 32 + 64);
    }
    for (int j = 0; j < NC; ++j) {
      const __m512i bytes = _mm512_loadu_si512(cols.codes[j] + sb * 16);
      const __m512i even = _mm512_and_si512(bytes, mask);
      const __m512i odd = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), mask);
      for (int r = 0; r < NR; ++r) {
        const __m512i sum =
            _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), even, a_even[r]), odd, a_odd[r]);
        const float* c = combined[r][j];
        const __m128 four = shift == 0 ? _mm_loadu_ps(c + sb)
                                       : _mm_set_ps(c[(sb + 3) >> shift], c[(sb + 2) >> shift], c[(sb + 1) >> shift],
                                                    c[sb >> shift]);
        const __m512 scales = _mm512_permutexvar_ps(lane_of_scale, _mm512_broadcast_f32x4(four));
        acc[r][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), scales, acc[r][j]);
      }
    }
  }
  __m128 tail[NR][NC];
  for (int r = 0; r < NR; ++r) {
    for (int j = 0; j < NC; ++j) tail[r][j] = _mm_setzero_ps();
  }
  const __m128i mask128 = _mm_set1_epi8(0x0F);
  for (int64_t sb = full; sb < sub_blocks; ++sb) {
    for (int j = 0; j < NC; ++j) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cols.codes[j] + sb * 16));
      const __m128i even = _mm_and_si128(bytes, mask128);
      const __m128i odd = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask128);
      for (int r = 0; r < NR; ++r) {
        const __m128i a_even = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[r].q + sb * 32));
        const __m128i a_odd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[r].q + sb * 32 + 16));
        const __m128i sum = _mm_dpbusd_epi32(_mm_dpbusd_epi32(_mm_setzero_si128(), even, a_even), odd, a_odd);
        tail[r][j] = _mm_fmadd_ps(_mm_cvtepi32_ps(sum), _mm_set1_ps(combined[r][j][sb >> shift]), tail[r][j]);
      }
    }
  }
  for (int r = 0; r < NR; ++r) {
    for (int j = 0; j < NC; ++j) {
      const __m256 halves = _mm256_add_ps(_mm512_castps512_ps256(acc[r][j]), _mm512_extractf32x8_ps(acc[r][j], 1));
      out[r][j] += hsum(_mm256_add_ps(halves, _mm256_set_m128(_mm_setzero_ps(), tail[r][j])));
    }
  }
}

template <int NR>
void dispatch_nibbles(const Int8Row* rows, const Int8Columns& cols, int64_t n_blocks, int64_t block, float* scratch,
                      float* const* out) {
  switch (cols.count) {
    case 4: int8_rows_dot_nibbles<NR, 4>(rows, cols, n_blocks, block, scratch, out); return;
    case 3: int8_rows_dot_nibbles<NR, 3>(rows, cols, n_blocks, block, scratch, out); return;
    case 2: int8_rows_dot_nibbles<NR, 2>(rows, cols, n_blocks, block, scratch, out); return;
    default: int8_rows_dot_nibbles<NR, 1>(rows, cols, n_blocks, block, scratch, out); return;
  }
}
#pragma GCC diagnostic pop
#endif

template <bool Packed4>
void dispatch_columns(const Int8Row& row, const Int8Columns& cols, int64_t n_blocks, int64_t block, float* scratch,
                      float* out) {
  switch (cols.count) {
    case 4: int8_row_dot_simd<4, Packed4>(row, cols, n_blocks, block, scratch, out); return;
    case 3: int8_row_dot_simd<3, Packed4>(row, cols, n_blocks, block, scratch, out); return;
    case 2: int8_row_dot_simd<2, Packed4>(row, cols, n_blocks, block, scratch, out); return;
    default: int8_row_dot_simd<1, Packed4>(row, cols, n_blocks, block, scratch, out); return;
  }
}
#endif

}  // namespace

void int8_row_pair_dot(const Int8Row& row0, const Int8Row& row1, const Int8Columns& cols, int64_t n_blocks,
                       int64_t block, float* scratch, float* out0, float* out1) {
#ifdef EVALQ_INT8_DOT_VNNI
  if (row0.nibble_groups && row1.nibble_groups) {
    const Int8Row rows[2] = {row0, row1};
    float* outs[2] = {out0, out1};
    dispatch_nibbles<2>(rows, cols, n_blocks, block, scratch, outs);
    return;
  }
#endif
  int8_row_dot(row0, cols, n_blocks, block, scratch, out0);
  int8_row_dot(row1, cols, n_blocks, block, scratch, out1);
}

bool int8_nibble_groups_supported() {
#ifdef EVALQ_INT8_DOT_VNNI
  return true;
#else
  return false;
#endif
}

void int8_row_dot(const Int8Row& row, const Int8Columns& cols, int64_t n_blocks, int64_t block, float* scratch,
                  float* out) {
#ifdef EVALQ_INT8_DOT_VNNI
  if (row.nibble_groups) {
    float* outs[1] = {out};
    dispatch_nibbles<1>(&row, cols, n_blocks, block, scratch, outs);
    return;
  }
#endif
#ifdef EVALQ_INT8_DOT_SIMD
  if (cols.packed4) {
    dispatch_columns<true>(row, cols, n_blocks, block, scratch, out);
  } else {
    dispatch_columns<false>(row, cols, n_blocks, block, scratch, out);
  }
#else
  (void)scratch;
  int8_row_dot_scalar(row, cols, n_blocks, block, out);
#endif
}

}  // namespace evalq
