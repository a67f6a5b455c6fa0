#include "ops/gemm_kernel.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define EVALQ_GEMM_KERNEL 1
#include <immintrin.h>
#endif

namespace evalq {

#ifdef EVALQ_GEMM_KERNEL
namespace {

// Two AVX-512 vectors of B by twelve rows of A: 24 accumulators, two B registers and a
// broadcast fill 27 of the 32 zmm registers.
constexpr int64_t kStrip = 32;
constexpr int64_t kTileRows = 12;
// A K block of up to 1024 keeps a packed 128-column block of B (512 KiB) in L2 and covers
// K = 896 (0.5B-class hidden size) in one block; measured 640-896 best on 1024-row shapes.
constexpr int64_t kMaxDepth = 1024;
constexpr int64_t kBlockColumns = 4 * kStrip;

__mmask16 lane_mask(int64_t lanes) {
  return lanes >= 16 ? __mmask16(0xffff) : lanes <= 0 ? __mmask16(0) : __mmask16((1u << lanes) - 1);
}

// 16 floats of a row of B from column j; lanes outside `mask` are zero. fp16 widens exactly
// (vcvtph2ps), bf16 is the high half of an fp32.
inline __m512 load_row(const float* row, int64_t j, __mmask16 mask) { return _mm512_maskz_loadu_ps(mask, row + j); }

template <DType Half>
inline __m512 load_row(const uint16_t* row, int64_t j, __mmask16 mask) {
  // The zero-masked forms of the conversions: GCC 12 flags the unmasked ones' undefined
  // pass-through register as maybe-uninitialized.
  const __m256i bits = _mm256_maskz_loadu_epi16(mask, row + j);
  if constexpr (Half == DType::Float16) {
    return _mm512_maskz_cvtph_ps(mask, bits);
  } else {
    return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(mask, _mm512_maskz_cvtepu16_epi32(mask, bits), 16));
  }
}

// B[0..depth, 0..columns) as 32-column strips, k-major inside a strip, the last strip padded with
// zeros so the tile kernel always loads whole vectors. B comes from memory-mapped weights that are
// not in any cache: rows are read whole (one contiguous run per row) and fetched ahead, since the
// hardware prefetcher does not follow a stride of a whole weight row.
template <typename T, typename Load>
void pack_b(const T* b, int64_t ldb, int64_t depth, int64_t columns, float* packed, const Load& load) {
  constexpr int64_t kAhead = 8;
  constexpr int64_t kPerLine = 64 / sizeof(T);
  for (int64_t k = 0; k < depth; ++k) {
    if (k + kAhead < depth) {
      const char* ahead = reinterpret_cast<const char*>(b + (k + kAhead) * ldb);
      for (int64_t j = 0; j < columns; j += kPerLine) _mm_prefetch(ahead + j * sizeof(T), _MM_HINT_T0);
    }
    const T* row = b + k * ldb;
    for (int64_t j = 0; j < columns; j += kStrip) {
      const int64_t width = std::min(kStrip, columns - j);
      float* out = packed + j * depth + k * kStrip;
      _mm512_store_ps(out, load(row, j, lane_mask(width)));
      _mm512_store_ps(out + 16, load(row, j + 16, lane_mask(width - 16)));
    }
  }
}

template <int Rows>
void tile(int64_t depth, const float* a, int64_t lda, const float* packed, float* c, int64_t ldc, bool accumulate,
          __mmask16 m0, __mmask16 m1) {
  __m512 lo[Rows], hi[Rows];
#pragma GCC unroll 12
  for (int i = 0; i < Rows; ++i) lo[i] = hi[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < depth; ++k) {
    const __m512 b0 = _mm512_load_ps(packed);
    const __m512 b1 = _mm512_load_ps(packed + 16);
    packed += kStrip;
#pragma GCC unroll 12
    for (int i = 0; i < Rows; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i * lda + k]);
      lo[i] = _mm512_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm512_fmadd_ps(ai, b1, hi[i]);
    }
  }
#pragma GCC unroll 12
  for (int i = 0; i < Rows; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      lo[i] = _mm512_add_ps(lo[i], _mm512_maskz_loadu_ps(m0, row));
      hi[i] = _mm512_add_ps(hi[i], _mm512_maskz_loadu_ps(m1, row + 16));
    }
    _mm512_mask_storeu_ps(row, m0, lo[i]);
    _mm512_mask_storeu_ps(row + 16, m1, hi[i]);
  }
}

using TileFn = void (*)(int64_t, const float*, int64_t, const float*, float*, int64_t, bool, __mmask16, __mmask16);
constexpr TileFn kTiles[kTileRows + 1] = {nullptr,  tile<1>, tile<2>, tile<3>,  tile<4>,  tile<5>, tile<6>,
                                          tile<7>,  tile<8>, tile<9>, tile<10>, tile<11>, tile<12>};

struct AlignedFree {
  void operator()(float* p) const { std::free(p); }
};

// One packing buffer per thread, sized for the largest block, allocated on first use.
float* packing_buffer() {
  constexpr size_t kBytes = sizeof(float) * kMaxDepth * kBlockColumns;
  thread_local std::unique_ptr<float, AlignedFree> buffer(static_cast<float*>(std::aligned_alloc(64, kBytes)));
  if (!buffer) throw std::bad_alloc();
  return buffer.get();
}

}  // namespace

bool gemm_kernel_applies(const SgemmArgs& g) {
  return !g.trans_a && !g.trans_b && g.alpha == 1.f && (g.beta == 0.f || g.beta == 1.f) &&
         (!g.b_half || g.b_half_type == DType::Float16 || g.b_half_type == DType::BFloat16);
}

namespace {

template <typename T, typename Load>
void run_blocks(const SgemmArgs& g, const T* b, const Load& load) {
  float* packed = packing_buffer();
  // K blocks of equal depth, so no block is a thin remainder.
  const int64_t depth_blocks = (g.K + kMaxDepth - 1) / kMaxDepth;
  for (int64_t n0 = 0; n0 < g.N; n0 += kBlockColumns) {
    const int64_t columns = std::min(kBlockColumns, g.N - n0);
    for (int64_t kb = 0; kb < depth_blocks; ++kb) {
      const int64_t k0 = g.K * kb / depth_blocks, depth = g.K * (kb + 1) / depth_blocks - k0;
      pack_b(b + k0 * g.ldb + n0, g.ldb, depth, columns, packed, load);
      const bool accumulate = kb > 0 || g.beta == 1.f;
      for (int64_t m0 = 0; m0 < g.M; m0 += kTileRows) {
        const TileFn fn = kTiles[std::min(kTileRows, g.M - m0)];
        for (int64_t j = 0; j < columns; j += kStrip) {
          const int64_t width = std::min(kStrip, columns - j);
          fn(depth, g.a + m0 * g.lda + k0, g.lda, packed + j * depth, g.c + m0 * g.ldc + n0 + j, g.ldc, accumulate,
             lane_mask(width), lane_mask(width - 16));
        }
      }
    }
  }
}

}  // namespace

void gemm_kernel(const SgemmArgs& g) {
  if (g.M == 0 || g.N == 0) return;
  if (g.K == 0) {
    if (g.beta == 0.f)
      for (int64_t i = 0; i < g.M; ++i) std::memset(g.c + i * g.ldc, 0, sizeof(float) * g.N);
    return;
  }
  auto load_f32 = [](const float* row, int64_t j, __mmask16 m) { return load_row(row, j, m); };
  auto load_f16 = [](const uint16_t* row, int64_t j, __mmask16 m) { return load_row<DType::Float16>(row, j, m); };
  auto load_bf16 = [](const uint16_t* row, int64_t j, __mmask16 m) { return load_row<DType::BFloat16>(row, j, m); };
  if (!g.b_half) {
    run_blocks(g, g.b, load_f32);
  } else if (g.b_half_type == DType::BFloat16) {
    run_blocks(g, g.b_half, load_bf16);
  } else {
    run_blocks(g, g.b_half, load_f16);
  }
}

#else

bool gemm_kernel_applies(const SgemmArgs&) { return false; }

void gemm_kernel(const SgemmArgs& g) { sgemm(g); }

#endif

}  // namespace evalq
