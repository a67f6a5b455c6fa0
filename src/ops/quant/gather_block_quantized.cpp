// com.microsoft GatherBlockQuantized: Gather on block-quantized data, dequantized on the way out:
//   out = float(q − zp) · scale, rounded once to the scales' type.
// data is int4/uint4 (any gather and quantize axes, default zero point 0) or uint8 holding bits =
// 2, 4 or 8 values per element (MatMulNBits conventions: gather_axis 0, quantize_axis last, default
// zero point 2^(bits-1), zero points packed like the data along the quantize axis). Indices out of
// range give zero rows, as in ONNX Runtime.
#include <evalq/error.h>
#include <tbb/parallel_for.h>

#include "exec/kernel.h"
#include "ops/common.h"
#include "quant/int4.h"

namespace evalq {
namespace {

class GatherBlockQuantized final : public OpKernel {
 public:
  explicit GatherBlockQuantized(const KernelInfo& info)
      : gather_axis_(info.get_int("gather_axis", 0)),
        quantize_axis_(info.get_int("quantize_axis", 1)),
        block_size_(info.get_int("block_size", 128)),
        bits_(info.get_int("bits", 4)) {
    if (block_size_ < 16 || (block_size_ & (block_size_ - 1)) != 0) {
      info.fail("block_size must be a power of 2 and >= 16, got " + std::to_string(block_size_));
    }
    if (bits_ != 2 && bits_ != 4 && bits_ != 8) info.fail("bits must be 2, 4 or 8, got " + std::to_string(bits_));
  }

  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& data = ctx.required_input(0);
    const Tensor& indices = ctx.required_input(1);
    const Tensor& scales_in = ctx.required_input(2);
    const Tensor* zp = ctx.input(3);
    const DType type = data.dtype();
    const bool packed_u8 = type == DType::UInt8;
    if (!packed_u8 && type != DType::Int4 && type != DType::UInt4) {
      throw Error(node.describe() + ": data must be uint8, int4 or uint4, got " + dtype_name(type));
    }
    if (!packed_u8 && bits_ != 4) throw Error(node.describe() + ": int4/uint4 data requires bits 4");
    const int64_t rank = static_cast<int64_t>(data.rank());
    const int64_t g_axis = normalize_axis(gather_axis_, rank, node);
    const int64_t q_axis = normalize_axis(quantize_axis_, rank, node);
    const int64_t components = packed_u8 ? 8 / bits_ : 1;
    if (packed_u8 && (g_axis != 0 || q_axis != rank - 1)) {
      throw Error(node.describe() + ": uint8 data needs gather_axis 0 and quantize_axis " + std::to_string(rank - 1));
    }
    if (g_axis == q_axis) throw Error(node.describe() + ": gather_axis and quantize_axis must differ");
    Shape logical = data.shape();
    logical[q_axis] *= components;

    // Scales: data's shape with the quantize axis in blocks.
    Shape expected_scales = logical;
    expected_scales[q_axis] = (logical[q_axis] + block_size_ - 1) / block_size_;
    if (scales_in.shape() != expected_scales) {
      throw Error(node.describe() + ": scales must have shape " + shape_string(expected_scales) + ", got " +
                  shape_string(scales_in.shape()));
    }
    const int64_t scale_row = expected_scales[q_axis];  // scales along the quantize axis
    if (zp) {
      Shape expected_zp = expected_scales;
      if (packed_u8) expected_zp[q_axis] = (scale_row + components - 1) / components;
      if (zp->dtype() != type || zp->shape() != expected_zp) {
        throw Error(node.describe() + ": zero_points must be " + dtype_name(type) + " " + shape_string(expected_zp) +
                    ", got " + dtype_name(zp->dtype()) + " " + shape_string(zp->shape()));
      }
    }
    const DType out_type = scales_in.dtype();
    if (out_type != DType::Float32 && out_type != DType::Float16) {
      throw Error(node.describe() + ": scales must be float or float16, got " + dtype_name(out_type));
    }
    const Tensor scales = to_float32(scales_in);
    const std::vector<int64_t> idx = int64_values(indices, node, "indices");

    Shape out_shape(logical.begin(), logical.begin() + g_axis);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), logical.begin() + g_axis + 1, logical.end());
    Tensor& y = ctx.allocate_output(0, out_type, out_shape);

    int64_t gather_block = 1, gather_m = 1, quantize_n = 1;
    for (int64_t d = g_axis + 1; d < rank; ++d) gather_block *= logical[d];
    for (int64_t d = 0; d < g_axis; ++d) gather_m *= logical[d];
    for (int64_t d = q_axis + 1; d < rank; ++d) quantize_n *= logical[d];
    const int64_t gather_dim = logical[g_axis], quantize_dim = logical[q_axis];
    const int64_t gather_n = static_cast<int64_t>(idx.size());
    const int64_t scale_block = scale_row * quantize_n;
    const uint8_t* bytes = data.data<uint8_t>();
    const uint8_t* zp_bytes = zp ? zp->data<uint8_t>() : nullptr;
    const float* s = scales.data<float>();

    auto code_at = [&](int64_t i) -> int32_t {
      if (type == DType::Int4) return int4_at(bytes, static_cast<size_t>(i));
      if (bits_ == 8) return bytes[i];
      if (bits_ == 4) return uint4_at(bytes, static_cast<size_t>(i));
      return (bytes[i >> 2] >> ((i & 3) * 2)) & 0x03;
    };
    auto zero_point_at = [&](int64_t scale_idx) -> int32_t {
      if (!zp_bytes) return packed_u8 ? 1 << (bits_ - 1) : 0;
      if (type == DType::Int4) return int4_at(zp_bytes, static_cast<size_t>(scale_idx));
      if (type == DType::UInt4) return uint4_at(zp_bytes, static_cast<size_t>(scale_idx));
      const int64_t row = scale_idx / scale_row, col = scale_idx % scale_row;
      const int64_t row_bytes = (scale_row + components - 1) / components;
      const uint8_t byte = zp_bytes[row * row_bytes + col / components];
      return (byte >> ((col % components) * bits_)) & ((1 << bits_) - 1);
    };

    tbb::parallel_for(int64_t{0}, gather_m * gather_n, [&](int64_t mn) {
      const int64_t m = mn / gather_n;
      int64_t row = idx[mn % gather_n];
      const int64_t out_base = mn * gather_block;
      const bool in_range = row >= -gather_dim && row < gather_dim;
      if (row < 0) row += gather_dim;
      const int64_t data_base = (m * gather_dim + row) * gather_block;
      for (int64_t i = 0; i < gather_block; ++i) {
        float v = 0.0f;
        if (in_range) {
          const int64_t di = data_base + i;
          const int64_t x = di / (quantize_dim * quantize_n);
          const int64_t q = di % (quantize_dim * quantize_n) / quantize_n;
          const int64_t z = di % quantize_n;
          const int64_t si = x * scale_block + q / block_size_ * quantize_n + z;
          v = static_cast<float>(code_at(di) - zero_point_at(si)) * s[si];
        }
        if (out_type == DType::Float16) {
          y.mutable_data<uint16_t>()[out_base + i] = float_to_half(v);
        } else {
          y.mutable_data<float>()[out_base + i] = v;
        }
      }
    });
  }

 private:
  int64_t gather_axis_;
  int64_t quantize_axis_;
  int64_t block_size_;
  int64_t bits_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "GatherBlockQuantized", 1, kLatestOpset, GatherBlockQuantized);

}  // namespace evalq
