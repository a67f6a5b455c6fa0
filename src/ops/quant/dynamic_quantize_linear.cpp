// ai.onnx DynamicQuantizeLinear (opset 11): x → (y uint8, y_scale, y_zero_point), with the range
// rule of quant/dynamic_quant.h.
#include <evalq/error.h>

#include "exec/kernel.h"
#include "quant/dynamic_quant.h"

namespace evalq {
namespace {

class DynamicQuantizeLinear final : public OpKernel {
 public:
  explicit DynamicQuantizeLinear(const KernelInfo&) {}

  void compute(KernelContext& ctx) const override {
    const Tensor x = to_float32(ctx.required_input(0));
    const Uint8Params params = dynamic_uint8_params(x.data<float>(), x.numel());
    Tensor& y = ctx.allocate_output(0, DType::UInt8, x.shape());
    quantize_uint8(x.data<float>(), x.numel(), params, y.mutable_data<uint8_t>());
    if (ctx.output_wanted(1)) ctx.allocate_output(1, DType::Float32, {}).mutable_data<float>()[0] = params.scale;
    if (ctx.output_wanted(2)) ctx.allocate_output(2, DType::UInt8, {}).mutable_data<uint8_t>()[0] = params.zero_point;
  }
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "DynamicQuantizeLinear", 11, kLatestOpset, DynamicQuantizeLinear);

}  // namespace evalq
