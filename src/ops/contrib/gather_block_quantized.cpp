// GatherBlockQuantized (com.microsoft): Gather from a block-quantized table (Model Builder's
// quantized embeddings), dequantizing the gathered rows, as ORT's CPU kernel does.
//   data: uint8 holding `bits` = 2, 4 or 8 values per element slot (packed low bits first along
//         the last axis, which must be quantize_axis; gather_axis 0), int4/uint4 (logical shape),
//         or float8 (no zero points; block_size 0 = one block over the whole quantize axis).
//   scales: data's shape with quantize_axis divided into blocks (float8: other dims may be 1);
//           its dtype is the output's.
//   zero_points: like scales; uint8 ones packed along the last axis, int4 ones packed flat;
//                default 2^(bits-1) for uint8, 0 for int4/uint4.
// value = (q - zero_point) * scale, computed in fp32. Out-of-range indices give zero rows (ORT).
#include <tbb/parallel_for.h>

#include <vector>

#include "core/float8.h"
#include "exec/kernel.h"
#include "ops/common.h"
#include "ops/contrib/float_io.h"
#include "quant/quant_values.h"

namespace evalq {
namespace {

int32_t nibble(const uint8_t* packed, int64_t index) {
  const uint8_t byte = packed[index >> 1];
  return (index & 1) ? (byte >> 4) & 0x0F : byte & 0x0F;
}

int32_t signed_nibble(const uint8_t* packed, int64_t index) {
  const int32_t v = nibble(packed, index);
  return v >= 8 ? v - 16 : v;
}

class GatherBlockQuantized final : public OpKernel {
 public:
  explicit GatherBlockQuantized(const KernelInfo& info)
      : gather_axis_(info.get_int("gather_axis", 0)),
        quantize_axis_(info.get_int("quantize_axis", 1)),
        block_size_(info.get_int("block_size", 128)),
        bits_(info.get_int("bits", 4)) {}

  void compute(KernelContext& ctx) const override;

 private:
  int64_t gather_axis_;
  int64_t quantize_axis_;
  int64_t block_size_;
  int64_t bits_;
};

void GatherBlockQuantized::compute(KernelContext& ctx) const {
  const std::string where = ctx.node().describe();
  auto fail = [&](const std::string& message) { throw Error(where + ": " + message); };
  const Tensor& data = ctx.required_input(0);
  const Tensor& indices_in = ctx.required_input(1);
  const Tensor& scales_in = ctx.required_input(2);
  const Tensor* zero_points = ctx.input(3);
  const DType qtype = data.dtype();
  const bool fp8 = is_quant_float8(qtype);
  const bool packed_uint8 = qtype == DType::UInt8;
  if (!fp8 && !packed_uint8 && qtype != DType::Int4 && qtype != DType::UInt4) {
    fail("data must be uint8, int4, uint4 or float8, got " + dtype_name(qtype));
  }
  if (!is_contrib_float(scales_in.dtype())) fail("scales must be float32, float16 or bfloat16, got " + dtype_name(scales_in.dtype()));
  const bool power_of_two = block_size_ >= 16 && (block_size_ & (block_size_ - 1)) == 0;
  if (!(power_of_two || (fp8 && block_size_ == 0))) {
    fail("block_size must be a power of 2 and at least 16" + std::string(fp8 ? " (or 0 for float8 data)" : "") + ", got " +
         std::to_string(block_size_));
  }
  int64_t bits = fp8 ? 8 : packed_uint8 ? bits_ : 4;
  if (packed_uint8 && bits != 2 && bits != 4 && bits != 8) fail("bits must be 2, 4 or 8 for uint8 data, got " + std::to_string(bits));
  if (!packed_uint8 && !fp8 && bits_ != 4) fail("bits must be 4 for int4/uint4 data, got " + std::to_string(bits_));
  if (fp8 && zero_points) fail("zero_points must be omitted for float8 data");

  const int64_t rank = static_cast<int64_t>(data.rank());
  const int64_t gather_axis = normalize_axis(gather_axis_, rank, ctx.node());
  const int64_t quantize_axis = normalize_axis(quantize_axis_, rank, ctx.node());
  const int64_t components = packed_uint8 ? 8 / bits : 1;
  if (packed_uint8 && (gather_axis != 0 || quantize_axis != rank - 1)) {
    fail("uint8 data needs gather_axis 0 and quantize_axis the last axis");
  }
  Shape logical = data.shape();
  logical.back() *= components;
  const int64_t block = block_size_ == 0 ? std::max<int64_t>(logical[quantize_axis], 1) : block_size_;

  if (scales_in.rank() != data.rank()) fail("scales must have data's rank " + std::to_string(rank));
  std::vector<bool> broadcast(rank, false);
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t want = d == quantize_axis ? (logical[d] + block - 1) / block : logical[d];
    if (scales_in.shape()[d] == want) continue;
    if (fp8 && d != quantize_axis && scales_in.shape()[d] == 1) {
      broadcast[d] = true;
      continue;
    }
    fail("scales " + shape_string(scales_in.shape()) + " do not match data " + shape_string(logical) + " with block_size " +
         std::to_string(block) + " on axis " + std::to_string(quantize_axis));
  }
  const int64_t blocks_per_row = scales_in.shape()[quantize_axis];
  if (zero_points) {
    Shape want = scales_in.shape();
    if (components > 1) want[quantize_axis] = (want[quantize_axis] + components - 1) / components;
    if (zero_points->dtype() != qtype || zero_points->shape() != want) {
      fail("zero_points must be " + dtype_name(qtype) + " " + shape_string(want) + ", got " + dtype_name(zero_points->dtype()) +
           " " + shape_string(zero_points->shape()));
    }
  }

  const std::vector<int64_t> indices = int64_values(indices_in, ctx.node(), "indices");
  Shape out_shape(logical.begin(), logical.begin() + gather_axis);
  out_shape.insert(out_shape.end(), indices_in.shape().begin(), indices_in.shape().end());
  out_shape.insert(out_shape.end(), logical.begin() + gather_axis + 1, logical.end());
  Tensor& output = ctx.allocate_output(0, scales_in.dtype(), out_shape);

  Tensor scales = to_float32(scales_in);
  const std::vector<int64_t> data_strides = contiguous_strides(logical);
  const std::vector<int64_t> scale_strides = contiguous_strides(scales_in.shape());
  const int64_t gather_dim = logical[gather_axis];
  const int64_t gather_block = shape_numel(std::span(logical).subspan(gather_axis + 1));
  const int64_t gather_m = shape_numel(std::span(logical).subspan(0, gather_axis));
  const int64_t gather_n = static_cast<int64_t>(indices.size());
  const uint8_t* q = data.data<uint8_t>();
  const uint8_t* zp = zero_points ? zero_points->data<uint8_t>() : nullptr;
  const int32_t default_zero_point = packed_uint8 ? 1 << (bits - 1) : 0;
  const int64_t zp_row_bytes = (blocks_per_row + components - 1) / components;

  auto quantized = [&](int64_t i) -> int32_t {
    if (qtype == DType::Int4) return signed_nibble(q, i);
    if (qtype == DType::UInt4 || bits == 4) return nibble(q, i);
    if (bits == 2) return (q[i >> 2] >> ((i & 3) * 2)) & 0x03;
    return q[i];
  };
  auto zero_point = [&](int64_t scale_index) -> int32_t {
    if (!zp) return default_zero_point;
    if (qtype == DType::Int4) return signed_nibble(zp, scale_index);
    if (qtype == DType::UInt4) return nibble(zp, scale_index);
    if (components == 1) return zp[scale_index];
    // uint8 zero points pack `components` blocks of a row per byte, each row padded to a byte.
    const int64_t row = scale_index / blocks_per_row, b = scale_index % blocks_per_row;
    const uint8_t byte = zp[row * zp_row_bytes + b / components];
    return (byte >> ((b % components) * bits)) & ((1 << bits) - 1);
  };

  tbb::parallel_for(int64_t{0}, gather_m * gather_n, [&](int64_t mn) {
    const int64_t m = mn / gather_n;
    int64_t index = indices[mn % gather_n];
    std::vector<float> row(gather_block, 0.f);
    if (index >= -gather_dim && index < gather_dim) {
      if (index < 0) index += gather_dim;
      const int64_t base = (m * gather_dim + index) * gather_block;
      for (int64_t i = 0; i < gather_block; ++i) {
        int64_t rest = base + i, scale_index = 0;
        for (int64_t d = 0; d < rank; ++d) {
          const int64_t coord = rest / data_strides[d];
          rest -= coord * data_strides[d];
          const int64_t scale_coord = d == quantize_axis ? coord / block : broadcast[d] ? 0 : coord;
          scale_index += scale_coord * scale_strides[d];
        }
        const float scale = scales.data<float>()[scale_index];
        row[i] = fp8 ? float8_to_float(qtype, q[base + i]) * scale
                     : static_cast<float>(quantized(base + i) - zero_point(scale_index)) * scale;
      }
    }
    store_floats(row.data(), gather_block, output, mn * gather_block);
  });
}

}  // namespace

EVALQ_REGISTER_KERNEL("com.microsoft", "GatherBlockQuantized", 1, kLatestOpset, GatherBlockQuantized);

}  // namespace evalq
