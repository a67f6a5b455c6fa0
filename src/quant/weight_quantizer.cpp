#include "quant/weight_quantizer.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/float8.h"

namespace evalq {

NBitsWeight quantize_nbits_ort(const float* w, int64_t K, int64_t N, int bits, int64_t block, bool symmetric) {
  const int64_t blocks = (K + block - 1) / block;
  const int64_t blob = block * bits / 8;
  const int qmax = (1 << bits) - 1;
  const uint8_t mid = static_cast<uint8_t>(1 << (bits - 1));
  NBitsWeight out;
  out.K = K;
  out.N = N;
  out.bits = bits;
  out.block = block;
  out.packed = Tensor::zeros(DType::UInt8, {N, blocks, blob});
  out.scales = Tensor::empty(DType::Float32, {N * blocks});
  std::vector<uint8_t> zps(static_cast<size_t>(N * blocks), mid);
  uint8_t* packed = out.packed.mutable_data<uint8_t>();
  float* scales = out.scales.mutable_data<float>();
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, N), [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t n = range.begin(); n < range.end(); ++n) {
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t k0 = b * block, k1 = std::min(K, k0 + block);
        float mn = std::numeric_limits<float>::max(), mx = std::numeric_limits<float>::lowest();
        for (int64_t k = k0; k < k1; ++k) {
          mn = std::min(mn, w[k * N + n]);
          mx = std::max(mx, w[k * N + n]);
        }
        float scale;
        uint8_t zp = mid;
        if (symmetric) {
          float m = std::fabs(mx) > std::fabs(mn) ? mx : mn;
          scale = m / -static_cast<float>(mid);
        } else {
          mn = std::min(mn, 0.0f);
          mx = std::max(mx, 0.0f);
          scale = (mx - mn) / static_cast<float>(qmax);
          float zp_fp = mn;
          if (scale != 0.0f) zp_fp = 0.0f - mn / scale;
          zp = zp_fp < 0.0f ? 0 : zp_fp > static_cast<float>(qmax) ? static_cast<uint8_t>(qmax)
                                                                  : static_cast<uint8_t>(std::roundf(zp_fp));
        }
        scales[n * blocks + b] = scale;
        zps[n * blocks + b] = zp;
        const float inv = scale != 0.0f ? 1.0f / scale : 0.0f;
        uint8_t* dst = packed + (n * blocks + b) * blob;
        for (int64_t i = 0; i < block; ++i) {
          const int64_t k = k0 + i;
          uint8_t q = zp;
          if (k < K) {
            float v = std::roundf(w[k * N + n] * inv + static_cast<float>(zp));
            q = static_cast<uint8_t>(std::clamp(v, 0.0f, static_cast<float>(qmax)));
          }
          if (bits == 8) {
            dst[i] = q;
          } else {
            dst[i / 2] |= static_cast<uint8_t>((q & 0xF) << ((i % 2) * 4));
          }
        }
      }
    }
  });
  if (!symmetric) {
    if (bits == 8) {
      out.zero_points = Tensor::from_vector(DType::UInt8, {N, blocks}, zps);
    } else {
      // Two blocks per byte; the unused high nibble of an odd block count holds the midpoint, as ORT writes it.
      const int64_t per_row = (blocks + 1) / 2;
      out.zero_points = Tensor::empty(DType::UInt8, {N, per_row});
      uint8_t* z = out.zero_points.mutable_data<uint8_t>();
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t j = 0; j < per_row; ++j) {
          uint8_t lo = zps[n * blocks + 2 * j];
          uint8_t hi = 2 * j + 1 < blocks ? zps[n * blocks + 2 * j + 1] : mid;
          z[n * per_row + j] = static_cast<uint8_t>(lo | (hi << 4));
        }
      }
    }
  }
  return out;
}

DqWeight quantize_modelopt_int4(const float* w, int64_t K, int64_t N, int64_t block) {
  const int64_t blocks = (K + block - 1) / block;
  DqWeight out;
  out.axis = 0;
  out.block = block;
  out.scale = Tensor::empty(DType::Float32, {blocks, N});
  out.q = Tensor::zeros(DType::Int4, {K, N});
  float* scale = out.scale.mutable_data<float>();
  for (int64_t b = 0; b < blocks; ++b) {
    for (int64_t n = 0; n < N; ++n) {
      float amax = 0.0f;
      for (int64_t k = b * block; k < std::min(K, (b + 1) * block); ++k) amax = std::max(amax, std::fabs(w[k * N + n]));
      scale[b * N + n] = std::max(amax / 7.0f, 1e-5f);
    }
  }
  uint8_t* q = out.q.mutable_data<uint8_t>();
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t n = 0; n < N; ++n) {
      float v = std::nearbyint(w[k * N + n] / scale[(k / block) * N + n]);
      int qi = static_cast<int>(std::clamp(v, -8.0f, 7.0f));
      int64_t flat = k * N + n;
      q[flat / 2] |= static_cast<uint8_t>((qi & 0xF) << ((flat % 2) * 4));
    }
  }
  return out;
}

DqWeight quantize_per_channel(const float* w, int64_t K, int64_t N, ChannelFormat format) {
  DqWeight out;
  out.axis = 1;
  out.block = 0;
  out.scale = Tensor::empty(DType::Float32, {N});
  float* scale = out.scale.mutable_data<float>();
  std::vector<float> mn(N, 0.0f), mx(N, 0.0f);
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t n = 0; n < N; ++n) {
      mn[n] = std::min(mn[n], w[k * N + n]);
      mx[n] = std::max(mx[n], w[k * N + n]);
    }
  }
  switch (format) {
    case ChannelFormat::Int8Sym: {
      out.q = Tensor::empty(DType::Int8, {K, N});
      for (int64_t n = 0; n < N; ++n) {
        float absmax = std::max(std::fabs(mn[n]), std::fabs(mx[n]));
        scale[n] = absmax > 0.0f ? 2.0f * absmax / 254.0f : 1.0f;
      }
      int8_t* q = out.q.mutable_data<int8_t>();
      for (int64_t i = 0; i < K * N; ++i) {
        q[i] = static_cast<int8_t>(std::clamp(std::nearbyint(w[i] / scale[i % N]), -127.0f, 127.0f));
      }
      break;
    }
    case ChannelFormat::UInt8Asym: {
      out.q = Tensor::empty(DType::UInt8, {K, N});
      out.zero_point = Tensor::empty(DType::UInt8, {N});
      uint8_t* zp = out.zero_point.mutable_data<uint8_t>();
      for (int64_t n = 0; n < N; ++n) {
        scale[n] = mx[n] > mn[n] ? (mx[n] - mn[n]) / 255.0f : 1.0f;
        zp[n] = static_cast<uint8_t>(std::clamp(std::nearbyint(-mn[n] / scale[n]), 0.0f, 255.0f));
      }
      uint8_t* q = out.q.mutable_data<uint8_t>();
      for (int64_t i = 0; i < K * N; ++i) {
        q[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(w[i] / scale[i % N]) + zp[i % N], 0.0f, 255.0f));
      }
      break;
    }
    case ChannelFormat::Fp8E4M3: {
      out.q = Tensor::empty(DType::Float8E4M3FN, {K, N});
      for (int64_t n = 0; n < N; ++n) {
        float absmax = std::max(std::fabs(mn[n]), std::fabs(mx[n]));
        scale[n] = absmax > 0.0f ? absmax / 448.0f : 1.0f;
      }
      uint8_t* q = out.q.mutable_data<uint8_t>();
      for (int64_t i = 0; i < K * N; ++i) q[i] = float_to_float8(DType::Float8E4M3FN, w[i] / scale[i % N], true);
      break;
    }
  }
  return out;
}

}  // namespace evalq
