#include "quant/int8_dot.h"

#include <algorithm>
#include <bit>
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

inline float hsum(__m128 s) {
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hsum(__m256 v) { return hsum(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))); }

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
// The scales of sub-blocks sb .. sb+3 (sb a multiple of 4) from per-block scales, block = 32 << shift.
inline __m128 four_sub_block_scales(const float* scale, int64_t sb, int shift) {
  switch (shift) {
    case 0: return _mm_loadu_ps(scale + sb);
    case 1: {
      const __m128 two = _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(scale + sb / 2)));
      return _mm_unpacklo_ps(two, two);
    }
    default: return _mm_set1_ps(scale[sb >> shift]);
  }
}

// Sub-blocks [full, sub_blocks) left after the last group of four, 128 bits wide: tail[r][j]
// holds four lanes whose sum is the rest of row r · column j.
// The NR rows' part of one 128-element step: even and odd elements, the integer start values and
// the per-lane activation scales.
template <int NR>
struct NibbleStep {
  __m512i even[NR], odd[NR], start[NR];
  __m512 scale[NR];
  void load(const Int8Row* rows, int64_t sb) {
    for (int r = 0; r < NR; ++r) {
      even[r] = _mm512_loadu_si512(rows[r].q + sb * 32);
      odd[r] = _mm512_loadu_si512(rows[r].q + sb * 32 + 64);
      start[r] = _mm512_loadu_si512(rows[r].lane_start + sb * 4);
      scale[r] = _mm512_loadu_ps(rows[r].lane_scale + sb * 4);
    }
  }
};

template <int NR, int NC>
void nibble_tail(const Int8Row* rows, const Int8Columns& cols, int64_t full, int64_t sub_blocks, int shift,
                 __m128 (&tail)[NR][NC]) {
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
        const __m128i start = _mm_cvtsi32_si128(-cols.zero_point * rows[r].sub_block_sums[sb]);
        const __m128i sum = _mm_dpbusd_epi32(_mm_dpbusd_epi32(start, even, a_even), odd, a_odd);
        const float scale = rows[r].scale[sb >> shift] * cols.scale[j][sb >> shift];
        tail[r][j] = _mm_fmadd_ps(_mm_cvtepi32_ps(sum), _mm_set1_ps(scale), tail[r][j]);
      }
    }
  }
}

// Rows in Int8Order::NibbleGroups against packed 4-bit columns, block >= 32: four 32-element
// sub-blocks per step, 512 bits wide. The low nibbles of 64 packed bytes are the even elements of
// four sub-blocks (one per 128-bit lane), the high nibbles the odd ones, matching the rows' order,
// so each 128-bit lane of the two VPDPBUSD results sums one sub-block, started from the row's
// lane_start (−zp · Σqa of the sub-block). An NR x NC tile (NC < 4 here; four columns take
// int8_rows_dot_nibbles4) lets every decoded column serve NR rows and every activation register
// NC columns. The float work (convert, a_s · b_s, fma) is what limits this loop, so two columns
// share it: their sums are first folded into one register, lanes 4L, 4L+1 of 128-bit lane L for
// the first column, 4L+2, 4L+3 for the second.
template <int NR, int NC>
void int8_rows_dot_nibbles(const Int8Row* rows, const Int8Columns& cols, int64_t n_blocks, int64_t block,
                           float* out, int64_t out_stride, bool store) {
  constexpr int kPairs = NC / 2, kSingle = NC % 2;
  const int64_t sub_blocks = n_blocks * block / 32, full = sub_blocks / 4 * 4;
  const int shift = std::countr_zero(static_cast<uint64_t>(block / 32));  // sub-block → block
  const __m512i mask = _mm512_set1_epi8(0x0F);
  const __m512i lane_of_scale = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  const __m512i lane_of_pair_scale = _mm512_set_epi32(7, 7, 3, 3, 6, 6, 2, 2, 5, 5, 1, 1, 4, 4, 0, 0);
  __m512 acc[NR][kPairs + kSingle];
  for (int r = 0; r < NR; ++r) {
    for (int p = 0; p < kPairs + kSingle; ++p) acc[r][p] = _mm512_setzero_ps();
  }
  for (int64_t sb = 0; sb < full; sb += 4) {
    NibbleStep<NR> a;
    a.load(rows, sb);
    for (int p = 0; p < kPairs; ++p) {
      const __m512i bytes0 = _mm512_loadu_si512(cols.codes[2 * p] + sb * 16);
      const __m512i bytes1 = _mm512_loadu_si512(cols.codes[2 * p + 1] + sb * 16);
      const __m512i even0 = _mm512_and_si512(bytes0, mask), odd0 = _mm512_and_si512(_mm512_srli_epi16(bytes0, 4), mask);
      const __m512i even1 = _mm512_and_si512(bytes1, mask), odd1 = _mm512_and_si512(_mm512_srli_epi16(bytes1, 4), mask);
      const __m256 both = _mm256_set_m128(four_sub_block_scales(cols.scale[2 * p + 1], sb, shift),
                                          four_sub_block_scales(cols.scale[2 * p], sb, shift));
      const __m512 b_scale = _mm512_permutexvar_ps(lane_of_pair_scale, _mm512_castps256_ps512(both));
      for (int r = 0; r < NR; ++r) {
        const __m512i sum0 = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(a.start[r], even0, a.even[r]), odd0, a.odd[r]);
        const __m512i sum1 = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(a.start[r], even1, a.even[r]), odd1, a.odd[r]);
        const __m512i folded = _mm512_add_epi32(_mm512_unpacklo_epi64(sum0, sum1), _mm512_unpackhi_epi64(sum0, sum1));
        acc[r][p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(folded), _mm512_mul_ps(a.scale[r], b_scale), acc[r][p]);
      }
    }
    if constexpr (kSingle) {
      const __m512i bytes = _mm512_loadu_si512(cols.codes[NC - 1] + sb * 16);
      const __m512i even = _mm512_and_si512(bytes, mask), odd = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), mask);
      const __m512 b_scale =
          _mm512_permutexvar_ps(lane_of_scale, _mm512_castps128_ps512(four_sub_block_scales(cols.scale[NC - 1], sb, shift)));
      for (int r = 0; r < NR; ++r) {
        const __m512i sum = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(a.start[r], even, a.even[r]), odd, a.odd[r]);
        acc[r][kPairs] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(a.scale[r], b_scale), acc[r][kPairs]);
      }
    }
  }
  __m128 tail[NR][NC];
  nibble_tail<NR, NC>(rows, cols, full, sub_blocks, shift, tail);
  for (int r = 0; r < NR; ++r) {
    float* row_out = out + r * out_stride;
    for (int p = 0; p < kPairs + kSingle; ++p) {
      const __m256 halves = _mm256_add_ps(_mm512_castps512_ps256(acc[r][p]), _mm512_extractf32x8_ps(acc[r][p], 1));
      const __m128 four = _mm_add_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1));
      if (p < kPairs) {
        const __m128 two = _mm_hadd_ps(four, four);  // the pair's first column, then its second
        const float first = _mm_cvtss_f32(two) + hsum(tail[r][2 * p]);
        const float second = _mm_cvtss_f32(_mm_movehdup_ps(two)) + hsum(tail[r][2 * p + 1]);
        row_out[2 * p] = store ? first : row_out[2 * p] + first;
        row_out[2 * p + 1] = store ? second : row_out[2 * p + 1] + second;
      } else {
        const float last = hsum(_mm_add_ps(four, tail[r][NC - 1]));
        row_out[NC - 1] = store ? last : row_out[NC - 1] + last;
      }
    }
  }
}

// int8_rows_dot_nibbles for four columns: the four sums of a row are folded into one register
// (lanes 4L .. 4L+3 of 128-bit lane L hold columns 0, 2, 1, 3), so the float work is shared by
// all four.
template <int NR>
void int8_rows_dot_nibbles4(const Int8Row* rows, const Int8Columns& cols, int64_t n_blocks, int64_t block,
                            float* out, int64_t out_stride, bool store) {
  const int64_t sub_blocks = n_blocks * block / 32, full = sub_blocks / 4 * 4;
  const int shift = std::countr_zero(static_cast<uint64_t>(block / 32));  // sub-block → block
  const __m512i mask = _mm512_set1_epi8(0x0F);
  // Lane 4L + k takes sub-block L's scale of column 0, 2, 1, 3 for k = 0, 1, 2, 3, from the four
  // columns' scales side by side.
  const __m512i lane_of_scale = _mm512_set_epi32(15, 7, 11, 3, 14, 6, 10, 2, 13, 5, 9, 1, 12, 4, 8, 0);
  __m512 acc[NR];
  for (int r = 0; r < NR; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t sb = 0; sb < full; sb += 4) {
    NibbleStep<NR> a;
    a.load(rows, sb);
    __m512i even[4], odd[4];
    for (int j = 0; j < 4; ++j) {
      const __m512i bytes = _mm512_loadu_si512(cols.codes[j] + sb * 16);
      even[j] = _mm512_and_si512(bytes, mask);
      odd[j] = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), mask);
    }
    __m512 side_by_side = _mm512_castps128_ps512(four_sub_block_scales(cols.scale[0], sb, shift));
    side_by_side = _mm512_insertf32x4(side_by_side, four_sub_block_scales(cols.scale[1], sb, shift), 1);
    side_by_side = _mm512_insertf32x4(side_by_side, four_sub_block_scales(cols.scale[2], sb, shift), 2);
    side_by_side = _mm512_insertf32x4(side_by_side, four_sub_block_scales(cols.scale[3], sb, shift), 3);
    const __m512 b_scale = _mm512_permutexvar_ps(lane_of_scale, side_by_side);
    for (int r = 0; r < NR; ++r) {
      __m512i sum[4];
      for (int j = 0; j < 4; ++j) {
        sum[j] = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(a.start[r], even[j], a.even[r]), odd[j], a.odd[r]);
      }
      // Per 128-bit lane: [c0 c0 c1 c1] and [c2 c2 c3 c3] (two partial sums each), then
      // [c0 c2 c1 c3].
      const __m512i s01 = _mm512_add_epi32(_mm512_unpacklo_epi64(sum[0], sum[1]), _mm512_unpackhi_epi64(sum[0], sum[1]));
      const __m512i s23 = _mm512_add_epi32(_mm512_unpacklo_epi64(sum[2], sum[3]), _mm512_unpackhi_epi64(sum[2], sum[3]));
      const __m512i lo = _mm512_unpacklo_epi32(s01, s23), hi = _mm512_unpackhi_epi32(s01, s23);
      const __m512i all = _mm512_add_epi32(_mm512_unpacklo_epi64(lo, hi), _mm512_unpackhi_epi64(lo, hi));
      acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(all), _mm512_mul_ps(a.scale[r], b_scale), acc[r]);
    }
  }
  __m128 tail[NR][4];
  nibble_tail<NR, 4>(rows, cols, full, sub_blocks, shift, tail);
  for (int r = 0; r < NR; ++r) {
    const __m256 halves = _mm256_add_ps(_mm512_castps512_ps256(acc[r]), _mm512_extractf32x8_ps(acc[r], 1));
    const __m128 four = _mm_add_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1));
    float* row_out = out + r * out_stride;
    __m128 sums = _mm_shuffle_ps(four, four, _MM_SHUFFLE(3, 1, 2, 0));  // columns 0, 1, 2, 3
    if (full < sub_blocks) {
      sums = _mm_add_ps(sums, _mm_set_ps(hsum(tail[r][3]), hsum(tail[r][2]), hsum(tail[r][1]), hsum(tail[r][0])));
    }
    _mm_storeu_ps(row_out, store ? sums : _mm_add_ps(_mm_loadu_ps(row_out), sums));
  }
}

template <int NR>
void dispatch_nibbles(const Int8Row* rows, const Int8Columns& cols, int64_t n_blocks, int64_t block, float* out,
                      int64_t out_stride, bool store) {
  switch (cols.count) {
    case 4: int8_rows_dot_nibbles4<NR>(rows, cols, n_blocks, block, out, out_stride, store); return;
    case 3: int8_rows_dot_nibbles<NR, 3>(rows, cols, n_blocks, block, out, out_stride, store); return;
    case 2: int8_rows_dot_nibbles<NR, 2>(rows, cols, n_blocks, block, out, out_stride, store); return;
    default: int8_rows_dot_nibbles<NR, 1>(rows, cols, n_blocks, block, out, out_stride, store); return;
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

// One row in Int8Order::Natural.
void natural_row_dot(const Int8Row& row, const Int8Columns& cols, int64_t n_blocks, int64_t block, float* scratch,
                  float* out) {
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

}  // namespace

void int8_rows_dot(const Int8Row* rows, int count, const Int8Columns& cols, int64_t n_blocks, int64_t block,
                   float* scratch, float* out, int64_t out_stride, bool store) {
#ifdef EVALQ_INT8_DOT_VNNI
  if (rows[0].nibble_groups) {
    switch (count) {
      case 4: dispatch_nibbles<4>(rows, cols, n_blocks, block, out, out_stride, store); return;
      case 3: dispatch_nibbles<3>(rows, cols, n_blocks, block, out, out_stride, store); return;
      case 2: dispatch_nibbles<2>(rows, cols, n_blocks, block, out, out_stride, store); return;
      default: dispatch_nibbles<1>(rows, cols, n_blocks, block, out, out_stride, store); return;
    }
  }
#endif
  for (int r = 0; r < count; ++r) {
    if (store) std::fill_n(out + r * out_stride, cols.count, 0.0f);
    natural_row_dot(rows[r], cols, n_blocks, block, scratch, out + r * out_stride);
  }
}

bool int8_nibble_groups_supported() {
#ifdef EVALQ_INT8_DOT_VNNI
  return true;
#else
  return false;
#endif
}

}  // namespace evalq
