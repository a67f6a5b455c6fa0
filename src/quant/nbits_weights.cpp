#include "quant/nbits_weights.h"

#include <evalq/error.h>

#include <algorithm>

namespace evalq {
NBitsWeights::NBitsWeights(const NBitsShape& shape, const Tensor& b, const Tensor& scales,
                           const Tensor* zero_points, const Tensor* g_idx, const std::string& where)
    : shape_(shape), b_(b) {
  const int64_t nb = shape.n_blocks();
  const int64_t expected_b = shape.N * nb * shape.blob_bytes();
  if (b.dtype() != DType::UInt8) throw Error(where + ": B must be uint8, got " + dtype_name(b.dtype()));
  if (b.numel() != expected_b) {
    throw Error(where + ": B holds " + std::to_string(b.numel()) + " bytes " + shape_string(b.shape()) +
                " but K=" + std::to_string(shape.K) + ", N=" + std::to_string(shape.N) + ", bits=" +
                std::to_string(shape.bits) + ", block_size=" + std::to_string(shape.block_size) + " need [" +
                std::to_string(shape.N) + ", " + std::to_string(nb) + ", " + std::to_string(shape.blob_bytes()) +
                "] = " + std::to_string(expected_b) + (b.numel() < expected_b ? " (truncated packed weights)" : ""));
  }
  if (b.rank() == 3 && (b.dim(0) != shape.N || b.dim(1) != nb || b.dim(2) != shape.blob_bytes())) {
    throw Error(where + ": B shape " + shape_string(b.shape()) + " is not [N, n_blocks, blob] = [" +
                std::to_string(shape.N) + ", " + std::to_string(nb) + ", " + std::to_string(shape.blob_bytes()) + "]");
  }
  data_ = b.data<uint8_t>();
  if (!is_float(scales.dtype())) throw Error(where + ": scales must be float, got " + dtype_name(scales.dtype()));
  if (scales.numel() != shape.N * nb) {
    throw Error(where + ": scales has " + std::to_string(scales.numel()) + " values " + shape_string(scales.shape()) +
                ", expected N * n_blocks = " + std::to_string(shape.N) + " * " + std::to_string(nb));
  }
  scales_f32_ = to_float32(scales);  // fp32 scales stay a view of the model's data
  scales_ = scales_f32_.data<float>();
  if (zero_points) {
    if (zero_points->dtype() == DType::UInt8) {
      const int64_t expected = shape.N * shape.packed_zero_point_bytes();
      if (zero_points->numel() != expected) {
        throw Error(where + ": packed zero_points has " + std::to_string(zero_points->numel()) + " bytes, expected N * " +
                    std::to_string(shape.packed_zero_point_bytes()) + " = " + std::to_string(expected));
      }
      zp_kind_ = ZeroPoints::Packed;
      packed_zp_ = *zero_points;
      zp_row_bytes_ = shape.packed_zero_point_bytes();
    } else if (is_float(zero_points->dtype())) {
      if (zero_points->numel() != shape.N * nb) {
        throw Error(where + ": float zero_points has " + std::to_string(zero_points->numel()) +
                    " values, expected N * n_blocks = " + std::to_string(shape.N * nb));
      }
      zp_kind_ = ZeroPoints::Float;
      float_zp_ = to_float32(*zero_points);
    } else {
      throw Error(where + ": zero_points must be uint8 or float, got " + dtype_name(zero_points->dtype()));
    }
  }
  if (g_idx) {
    if (g_idx->dtype() != DType::Int32 || g_idx->numel() != shape.K) {
      throw Error(where + ": g_idx must be int32 with K = " + std::to_string(shape.K) + " values, got " +
                  dtype_name(g_idx->dtype()) + " " + shape_string(g_idx->shape()));
    }
    g_idx_.assign(g_idx->data<int32_t>(), g_idx->data<int32_t>() + shape.K);
    for (int32_t g : g_idx_) {
      if (g < 0 || g >= nb) throw Error(where + ": g_idx value " + std::to_string(g) + " is outside [0, " + std::to_string(nb) + ")");
    }
  }
}

float NBitsWeights::zero_point(int64_t n, int64_t block) const {
  if (zp_kind_ == ZeroPoints::Float) return float_zp_.data<float>()[n * shape_.n_blocks() + block];
  return static_cast<float>(int_zero_point(n, block));
}

void NBitsWeights::column_zero_points(int64_t n, float* out) const {
  const int64_t nb = shape_.n_blocks();
  if (zp_kind_ == ZeroPoints::Float) {
    std::copy_n(float_zp_.data<float>() + n * nb, nb, out);
  } else {
    for (int64_t blk = 0; blk < nb; ++blk) out[blk] = static_cast<float>(int_zero_point(n, blk));
  }
}

void NBitsWeights::unpack_column(int64_t n, uint8_t* out) const {
  const int64_t padded = shape_.n_blocks() * shape_.block_size;
  const uint8_t* src = data_ + n * shape_.n_blocks() * shape_.blob_bytes();
  switch (shape_.bits) {
    case 8:
      std::copy(src, src + padded, out);
      break;
    case 4:
      for (int64_t j = 0; j < padded / 2; ++j) {
        out[2 * j] = src[j] & 0x0F;
        out[2 * j + 1] = src[j] >> 4;
      }
      break;
    default:
      for (int64_t j = 0; j < padded / 4; ++j) {
        for (int s = 0; s < 4; ++s) out[4 * j + s] = (src[j] >> (2 * s)) & 0x03;
      }
      break;
  }
}

void NBitsWeights::unpack_columns(int64_t n0, int64_t count, uint8_t* out) const {
  const int64_t padded = shape_.n_blocks() * shape_.block_size;
  for (int64_t c = 0; c < count; ++c) unpack_column(n0 + c, out + c * padded);
}

void NBitsWeights::dequantize_columns(int64_t n0, int64_t count, float* out) const {
  std::vector<uint8_t> codes(static_cast<size_t>(shape_.n_blocks() * shape_.block_size));
  dequantize_columns(n0, count, out, codes.data());
}

void NBitsWeights::dequantize_columns(int64_t n0, int64_t count, float* out, uint8_t* codes) const {
  const int64_t K = shape_.K, nb = shape_.n_blocks(), bs = shape_.block_size;
  for (int64_t c = 0; c < count; ++c) {
    const int64_t n = n0 + c;
    unpack_column(n, codes);
    float* __restrict dst = out + c * K;
    const uint8_t* __restrict src = codes;
    const float* col_scales = scales_ + n * nb;
    if (!g_idx_.empty()) {
      for (int64_t k = 0; k < K; ++k) {
        const int64_t blk = g_idx_[k];
        dst[k] = (static_cast<float>(src[k]) - zero_point(n, blk)) * col_scales[blk];
      }
    } else if (zp_kind_ == ZeroPoints::Float) {
      const float* col_zp = float_zp_.data<float>() + n * nb;
      for (int64_t blk = 0; blk < nb; ++blk) {
        const float s = col_scales[blk], zp = col_zp[blk];
        const int64_t end = std::min(K, (blk + 1) * bs);
        for (int64_t k = blk * bs; k < end; ++k) dst[k] = (static_cast<float>(src[k]) - zp) * s;
      }
    } else {
      for (int64_t blk = 0; blk < nb; ++blk) {
        const float s = col_scales[blk];
        const int32_t zp = int_zero_point(n, blk);
        const int64_t end = std::min(K, (blk + 1) * bs);
        for (int64_t k = blk * bs; k < end; ++k) dst[k] = static_cast<float>(src[k] - zp) * s;
      }
    }
  }
}

}  // namespace evalq
