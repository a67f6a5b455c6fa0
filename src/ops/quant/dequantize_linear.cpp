// ai.onnx DequantizeLinear (opsets 10-21+): y = (x - zero_point) * scale per tensor, per axis or
// per block along one axis. Each value is computed in fp32, as float(x - zp) * scale, and then
// rounded once to the scale's type, matching ONNX Runtime bit for bit.
#include <evalq/error.h>

#include "exec/kernel.h"
#include "quant/quant_layout.h"
#include "quant/quant_values.h"

namespace evalq {
namespace {

class DequantizeLinear final : public OpKernel {
 public:
  explicit DequantizeLinear(const KernelInfo& info)
      : axis_(info.get_int("axis", 1)), block_size_(info.opset() >= 21 ? info.get_int("block_size", 0) : 0) {
    if (block_size_ < 0) info.fail("block_size must be >= 0, got " + std::to_string(block_size_));
  }

  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& x = ctx.required_input(0);
    const Tensor& scale_in = ctx.required_input(1);
    const Tensor* zp = ctx.input(2);
    const DType out_type = scale_in.dtype();
    if (out_type != DType::Float32 && out_type != DType::Float16 && out_type != DType::BFloat16) {
      throw Error(node.describe() + ": x_scale must be float, float16 or bfloat16, got " + dtype_name(out_type));
    }
    if (zp && zp->dtype() != x.dtype()) {
      throw Error(node.describe() + ": x_zero_point type " + dtype_name(zp->dtype()) + " differs from x type " +
                  dtype_name(x.dtype()));
    }
    const QuantLayout layout = make_quant_layout(x.shape(), scale_in.shape(), axis_, block_size_, node);
    if (zp && zp->shape() != scale_in.shape()) {
      throw Error(node.describe() + ": x_zero_point shape " + shape_string(zp->shape()) + " differs from x_scale shape " +
                  shape_string(scale_in.shape()));
    }
    const Tensor scale = to_float32(scale_in);
    const float* s = scale.data<float>();
    Tensor& y = ctx.allocate_output(0, out_type, x.shape());

    auto store = [&](auto value_at) {
      switch (out_type) {
        case DType::Float32: write(layout, value_at, s, y.mutable_data<float>(), [](float v) { return v; }); break;
        case DType::Float16: write(layout, value_at, s, y.mutable_data<uint16_t>(), float_to_half); break;
        default: write(layout, value_at, s, y.mutable_data<uint16_t>(), float_to_bfloat16); break;
      }
    };

    if (is_quant_float8(x.dtype())) {
      const auto table = float8_table(x.dtype());
      if (zp) {
        for (int64_t i = 0; i < zp->numel(); ++i) {
          if (table[zp->data<uint8_t>()[i]] != 0.0f) throw Error(node.describe() + ": float8 zero points must be 0");
        }
      }
      const uint8_t* p = x.data<uint8_t>();
      store([&](int64_t i, int64_t) { return table[p[i]]; });
      return;
    }
    if (!is_quant_integer(x.dtype())) {
      throw Error(node.describe() + ": unsupported x type " + dtype_name(x.dtype()));
    }
    const std::vector<int32_t> zps = zp ? quant_integers(*zp) : std::vector<int32_t>();
    if (x.dtype() == DType::Int32) {
      for (int32_t z : zps) {
        if (z != 0) throw Error(node.describe() + ": int32 input requires zero points of 0");
      }
    }
    with_int_reader(x, [&](auto read) {
      if (zps.empty()) {
        store([&](int64_t i, int64_t) { return static_cast<float>(read(i)); });
      } else {
        store([&](int64_t i, int64_t si) { return static_cast<float>(read(i) - zps[si]); });
      }
    });
  }

 private:
  // value_at(i, scale_index) gives the (x - zp) factor for element i.
  template <typename ValueAt, typename Out, typename Convert>
  static void write(const QuantLayout& l, const ValueAt& value_at, const float* s, Out* y, Convert convert) {
    for_each_quantized(l, [&](int64_t i, int64_t si) { y[i] = convert(value_at(i, si) * s[si]); });
  }

  int64_t axis_;
  int64_t block_size_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "DequantizeLinear", 10, kLatestOpset, DequantizeLinear);

}  // namespace evalq
