#include "quant/dq_to_nbits.h"

#include <algorithm>

#include "quant/int4.h"

namespace evalq {

namespace {

// Element i of a 4- or 8-bit integer tensor.
int32_t element(const Tensor& t, size_t i) {
  const uint8_t* p = t.data<uint8_t>();
  switch (t.dtype()) {
    case DType::Int4: return int4_at(p, i);
    case DType::UInt4: return uint4_at(p, i);
    case DType::Int8: return static_cast<int8_t>(p[i]);
    default: return p[i];
  }
}

// Writes code `value` at element i of MatMulNBits-packed bytes.
void put(uint8_t* packed, int bits, size_t i, int32_t value) {
  if (bits == 4) {
    set_nibble(packed, i, static_cast<uint8_t>(value));
  } else {
    packed[i] = static_cast<uint8_t>(value);
  }
}

}  // namespace

std::optional<NBitsInputs> nbits_from_blocked_dq(const Tensor& x, const Tensor& scale, const Tensor* zero_point,
                                                 int64_t axis, int64_t block_size) {
  const DType t = x.dtype();
  if (t != DType::Int4 && t != DType::UInt4 && t != DType::Int8 && t != DType::UInt8) return std::nullopt;
  if (x.rank() != 2 || (axis != 0 && axis != -2)) return std::nullopt;
  if (block_size < 16 || (block_size & (block_size - 1)) != 0) return std::nullopt;
  if (scale.dtype() != DType::Float32 && scale.dtype() != DType::Float16) return std::nullopt;
  const int64_t K = x.dim(0), N = x.dim(1);
  const int64_t nb = (K + block_size - 1) / block_size;
  if (scale.shape() != Shape{nb, N}) return std::nullopt;
  if (zero_point && (zero_point->dtype() != t || zero_point->shape() != scale.shape())) return std::nullopt;

  const bool is_signed = t == DType::Int4 || t == DType::Int8;
  const int bits = dtype_bits(t);
  const int32_t shift = is_signed ? 1 << (bits - 1) : 0;
  NBitsInputs out;
  out.shape = {K, N, bits, block_size};
  out.b = Tensor::zeros(DType::UInt8, {N, nb, out.shape.blob_bytes()});
  uint8_t* b = out.b.mutable_data<uint8_t>();
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t n = 0; n < N; ++n) {
      put(b, bits, static_cast<size_t>(n * nb * block_size + k), element(x, static_cast<size_t>(k * N + n)) + shift);
    }
  }
  // Scales transposed to [N][n_blocks], kept in their type.
  out.scales = Tensor::empty(scale.dtype(), {N * nb});
  const size_t elem = scale.dtype() == DType::Float32 ? 4 : 2;
  const auto* s_in = static_cast<const uint8_t*>(scale.raw());
  auto* s_out = static_cast<uint8_t*>(out.scales.mutable_raw());
  for (int64_t blk = 0; blk < nb; ++blk) {
    for (int64_t n = 0; n < N; ++n) {
      std::copy_n(s_in + (blk * N + n) * elem, elem, s_out + (n * nb + blk) * elem);
    }
  }
  if (zero_point || !is_signed) {
    const int64_t zp_bytes = out.shape.packed_zero_point_bytes();
    out.zero_points = Tensor::zeros(DType::UInt8, {N * zp_bytes});
    uint8_t* z = out.zero_points.mutable_data<uint8_t>();
    for (int64_t blk = 0; blk < nb; ++blk) {
      for (int64_t n = 0; n < N; ++n) {
        const int32_t v = zero_point ? element(*zero_point, static_cast<size_t>(blk * N + n)) + shift : 0;
        put(z, bits, static_cast<size_t>(n * zp_bytes * 8 / bits + blk), v);
      }
    }
  }
  return out;
}

}  // namespace evalq
