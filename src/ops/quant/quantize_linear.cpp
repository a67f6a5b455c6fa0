// ai.onnx QuantizeLinear (opsets 10-21+): y = saturate(round_half_even(x / scale) + zero_point)
// per tensor, per axis or per block along one axis; float8 outputs round x / scale to nearest
// even, saturating unless `saturate` is 0. The division is fp32, as ONNX Runtime does it.
#include <evalq/error.h>

#include <cmath>

#include "core/float8.h"
#include "exec/kernel.h"
#include "quant/int4.h"
#include "quant/quant_layout.h"
#include "quant/quant_values.h"

namespace evalq {
namespace {

class QuantizeLinear final : public OpKernel {
 public:
  explicit QuantizeLinear(const KernelInfo& info)
      : axis_(info.get_int("axis", 1)),
        block_size_(info.opset() >= 21 ? info.get_int("block_size", 0) : 0),
        saturate_(info.opset() >= 19 ? info.get_int("saturate", 1) != 0 : true),
        output_dtype_(info.opset() >= 21 ? info.get_int("output_dtype", 0) : 0) {
    if (block_size_ < 0) info.fail("block_size must be >= 0, got " + std::to_string(block_size_));
    if (output_dtype_ != 0) {
      DType t = static_cast<DType>(output_dtype_);
      if (!is_quant_integer(t) && !is_quant_float8(t)) info.fail("unsupported output_dtype " + std::to_string(output_dtype_));
      if (info.has_input(2) && info.input_dtype(2) != DType::Undefined && info.input_dtype(2) != t) {
        info.fail("output_dtype " + dtype_name(t) + " differs from y_zero_point type " + dtype_name(info.input_dtype(2)));
      }
    }
  }

  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor x = to_float32(ctx.required_input(0));
    const Tensor& scale_in = ctx.required_input(1);
    const Tensor* zp = ctx.input(2);
    const DType out_type = zp ? zp->dtype() : (output_dtype_ ? static_cast<DType>(output_dtype_) : DType::UInt8);
    const QuantLayout layout = make_quant_layout(x.shape(), scale_in.shape(), axis_, block_size_, node);
    if (zp && zp->shape() != scale_in.shape()) {
      throw Error(node.describe() + ": y_zero_point shape " + shape_string(zp->shape()) + " differs from y_scale shape " +
                  shape_string(scale_in.shape()));
    }
    const Tensor scale = to_float32(scale_in);
    const float* s = scale.data<float>();
    const float* xs = x.data<float>();
    Tensor& y = ctx.allocate_output(0, out_type, x.shape());
    const int64_t n = x.numel();

    if (is_quant_float8(out_type)) {
      uint8_t* out = y.mutable_data<uint8_t>();
      for_each_quantized(layout, [&](int64_t i, int64_t si) { out[i] = float_to_float8(out_type, xs[i] / s[si], saturate_); });
      return;
    }
    if (!is_quant_integer(out_type)) throw Error(node.describe() + ": unsupported output type " + dtype_name(out_type));
    const std::vector<int32_t> zps = zp ? quant_integers(*zp) : std::vector<int32_t>();
    const IntRange range = quant_range(out_type);
    auto quantize = [&](int64_t i, int64_t si) -> int32_t {
      const float v = xs[i] / s[si];
      if (std::isnan(v)) return range.lo;
      const double q = static_cast<double>(std::nearbyint(v)) + (zps.empty() ? 0 : zps[si]);
      return static_cast<int32_t>(std::clamp(q, static_cast<double>(range.lo), static_cast<double>(range.hi)));
    };
    switch (out_type) {
      case DType::Int8: store(layout, quantize, y.mutable_data<int8_t>()); break;
      case DType::UInt8: store(layout, quantize, y.mutable_data<uint8_t>()); break;
      case DType::Int16: store(layout, quantize, y.mutable_data<int16_t>()); break;
      case DType::UInt16: store(layout, quantize, y.mutable_data<uint16_t>()); break;
      case DType::Int32: store(layout, quantize, y.mutable_data<int32_t>()); break;
      default: {
        // Two elements share a byte, so quantize first and pack in one pass.
        std::vector<int8_t> q(static_cast<size_t>(n));
        store(layout, quantize, q.data());
        uint8_t* out = y.mutable_data<uint8_t>();
        for (int64_t i = 0; i < n; ++i) set_nibble(out, static_cast<size_t>(i), static_cast<uint8_t>(q[i]));
        break;
      }
    }
  }

 private:
  template <typename Quantize, typename Out>
  static void store(const QuantLayout& l, const Quantize& quantize, Out* y) {
    for_each_quantized(l, [&](int64_t i, int64_t si) { y[i] = static_cast<Out>(quantize(i, si)); });
  }

  int64_t axis_;
  int64_t block_size_;
  bool saturate_;
  int64_t output_dtype_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "QuantizeLinear", 10, kLatestOpset, QuantizeLinear);

}  // namespace evalq
