#pragma once

// com.microsoft MatMulNBits weights, kept packed as the model stores them: B is uint8
// [N][n_blocks][block_size * bits / 8] (each column's K values consecutive, element 0 in the
// lowest bits of a byte), one scale per (column, block), zero points either implicit
// (2^(bits-1)), packed like B ([N][ceil(n_blocks * bits / 8)]) or float (one per scale), and
// optionally g_idx, the block of each k (act-order GPTQ).
#include <evalq/tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace evalq {

struct NBitsShape {
  int64_t K = 0;
  int64_t N = 0;
  int bits = 4;
  int64_t block_size = 32;
  int64_t n_blocks() const { return (K + block_size - 1) / block_size; }
  int64_t blob_bytes() const { return block_size * bits / 8; }
  int64_t packed_zero_point_bytes() const { return (n_blocks() * bits + 7) / 8; }  // per column
};

class NBitsWeights {
 public:
  enum class ZeroPoints { Implicit, Packed, Float };

  // Checks every input against the shape and keeps views of them (fp16/bf16 scales and float zero
  // points are converted to fp32, g_idx copied). `where` prefixes error messages.
  NBitsWeights(const NBitsShape& shape, const Tensor& b, const Tensor& scales, const Tensor* zero_points,
               const Tensor* g_idx, const std::string& where);

  const NBitsShape& shape() const { return shape_; }
  ZeroPoints zero_point_kind() const { return zp_kind_; }
  bool has_g_idx() const { return !g_idx_.empty(); }

  // Columns [n0, n0 + count) dequantized to fp32, out[c * K + k] = (code - zp) * scale.
  void dequantize_columns(int64_t n0, int64_t count, float* out) const;
  // The same with caller-provided scratch for n_blocks * block_size codes.
  void dequantize_columns(int64_t n0, int64_t count, float* out, uint8_t* codes) const;
  // Raw codes (0 .. 2^bits - 1) of columns [n0, n0 + count), padded to n_blocks * block_size
  // each: out[c * n_blocks * block_size + k].
  void unpack_columns(int64_t n0, int64_t count, uint8_t* out) const;
  float scale(int64_t n, int64_t block) const { return scales_[n * shape_.n_blocks() + block]; }
  const float* scales() const { return scales_; }  // [N][n_blocks]
  // Column n's packed bytes: n_blocks * blob_bytes.
  const uint8_t* column_bytes(int64_t n) const { return data_ + n * shape_.n_blocks() * shape_.blob_bytes(); }
  // Integer zero point (implicit or packed kinds).
  int32_t int_zero_point(int64_t n, int64_t block) const {
    if (zp_kind_ != ZeroPoints::Packed) return 1 << (shape_.bits - 1);
    // bits is 2, 4 or 8: blocks per byte 4, 2 or 1.
    const int log_per_byte = shape_.bits == 8 ? 0 : shape_.bits == 4 ? 1 : 2;
    const uint8_t byte = packed_zp_.data<uint8_t>()[n * zp_row_bytes_ + (block >> log_per_byte)];
    return (byte >> ((block & ((1 << log_per_byte) - 1)) * shape_.bits)) & ((1 << shape_.bits) - 1);
  }

  // Column n's zero points of any kind as floats (n_blocks values).
  void column_zero_points(int64_t n, float* out) const;

 private:
  float zero_point(int64_t n, int64_t block) const;
  void unpack_column(int64_t n, uint8_t* out) const;

  NBitsShape shape_;
  Tensor b_;  // keeps the packed bytes alive
  const uint8_t* data_ = nullptr;
  Tensor scales_f32_;
  const float* scales_ = nullptr;
  ZeroPoints zp_kind_ = ZeroPoints::Implicit;
  Tensor packed_zp_;
  int64_t zp_row_bytes_ = 0;  // packed zero-point bytes per column
  Tensor float_zp_;
  std::vector<int32_t> g_idx_;
};

}  // namespace evalq
