// Broadcasting binary ops: arithmetic (Add, Sub, Mul, Div, Pow, Mod), comparisons and logic.
// fp16/bf16 operands are computed in fp32 and rounded back once, as ONNX Runtime's CPU kernels do.
#include <cmath>

#include "exec/kernel.h"
#include "ops/dispatch.h"
#include "ops/onnx/binary_map.h"
#include "ops/onnx/cast.h"

namespace evalq {
namespace {

struct AddOp {
  template <typename T> T operator()(T a, T b) const { return static_cast<T>(a + b); }
};
struct SubOp {
  template <typename T> T operator()(T a, T b) const { return static_cast<T>(a - b); }
};
struct MulOp {
  template <typename T> T operator()(T a, T b) const { return static_cast<T>(a * b); }
};
struct DivOp {
  template <typename T> T operator()(T a, T b) const { return static_cast<T>(a / b); }
};
struct PowOp {
  template <typename T> T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(a, b);
    } else {
      return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    }
  }
};

void check_same_type(const Tensor& a, const Tensor& b, const Node& node) {
  if (a.dtype() != b.dtype()) {
    throw Error(node.describe() + ": operands have different element types (" + dtype_name(a.dtype()) +
                " and " + dtype_name(b.dtype()) + ")");
  }
}

// Integer division by zero would trap the process; ONNX leaves it undefined, evalq refuses it.
template <typename T>
void check_no_zero_divisor(const Tensor& b, const Node& node) {
  if constexpr (std::is_integral_v<T>) {
    const T* p = b.data<T>();
    for (int64_t i = 0; i < b.numel(); ++i) {
      if (p[i] == 0) throw Error(node.describe() + ": integer division by zero");
    }
  }
}

template <typename Op>
class ArithmeticKernel : public OpKernel {
 public:
  explicit ArithmeticKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& a0 = ctx.required_input(0);
    const Node& node = ctx.node();
    if (!is_half(a0.dtype()) && a0.dtype() == ctx.required_input(1).dtype()) {
      compute_in_type(ctx, a0, ctx.required_input(1));
      return;
    }
    Tensor b0 = ctx.required_input(1);
    // Pow allows a different exponent type; it is converted to the base's type.
    if constexpr (std::is_same_v<Op, PowOp>) {
      if (a0.dtype() != b0.dtype()) b0 = cast_tensor(b0, is_half(a0.dtype()) ? DType::Float32 : a0.dtype(), node);
    }
    Tensor a = widen_half(a0), b = widen_half(b0);
    check_same_type(a, b, node);
    Shape shape = broadcast_shapes({a.shape(), b.shape()}, node);
    DType out_type = a0.dtype();
    Tensor result = is_half(out_type) ? Tensor::empty(DType::Float32, shape) : ctx.allocate_output(0, out_type, shape);
    dispatch_numeric(a.dtype(), node, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        throw Error(node.describe() + ": arithmetic on bool tensors is not defined");
      } else {
        if constexpr (std::is_same_v<Op, DivOp>) check_no_zero_divisor<T>(b, node);
        binary_map<T, T, T>(a, b, result, Op{});
      }
    });
    if (is_half(out_type)) {
      set_narrowed_output(ctx, 0, result, out_type);
    }
  }

 private:
  // Both operands already in the output type: the result may overwrite an operand of the output's
  // shape that nothing reads afterwards.
  static void compute_in_type(KernelContext& ctx, const Tensor& a, const Tensor& b) {
    const Node& node = ctx.node();
    Shape shape = broadcast_shapes({a.shape(), b.shape()}, node);
    Tensor& result = a.shape() == shape   ? ctx.allocate_output_over_input(0, 0, a.dtype(), shape)
                     : b.shape() == shape ? ctx.allocate_output_over_input(0, 1, a.dtype(), shape)
                                          : ctx.allocate_output(0, a.dtype(), shape);
    dispatch_numeric(a.dtype(), node, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        throw Error(node.describe() + ": arithmetic on bool tensors is not defined");
      } else {
        if constexpr (std::is_same_v<Op, DivOp>) check_no_zero_divisor<T>(b, node);
        if constexpr (std::is_same_v<Op, PowOp> && std::is_floating_point_v<T>) {
          // RMSNorm's x^2: ORT squares (and cubes) directly instead of calling pow.
          if (b.numel() == 1 && (*b.data<T>() == T(2) || *b.data<T>() == T(3))) {
            const bool cube = *b.data<T>() == T(3);
            binary_map<T, T, T>(a, b, result, [cube](T x, T) { return cube ? x * x * x : x * x; });
            return;
          }
        }
        binary_map<T, T, T>(a, b, result, Op{});
      }
    });
  }
};

// Mod: fmod=1 is C fmod (sign of the dividend); fmod=0 is integer modulo with the divisor's sign.
class ModKernel : public OpKernel {
 public:
  explicit ModKernel(const KernelInfo& info) : fmod_(info.get_int("fmod", 0) != 0) {}
  void compute(KernelContext& ctx) const override {
    Tensor a = widen_half(ctx.required_input(0)), b = widen_half(ctx.required_input(1));
    const Node& node = ctx.node();
    check_same_type(a, b, node);
    DType out_type = ctx.required_input(0).dtype();
    Shape shape = broadcast_shapes({a.shape(), b.shape()}, node);
    Tensor result = is_half(out_type) ? Tensor::empty(DType::Float32, shape) : ctx.allocate_output(0, out_type, shape);
    dispatch_numeric(a.dtype(), node, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        throw Error(node.describe() + ": Mod on bool tensors is not defined");
      } else if constexpr (std::is_floating_point_v<T>) {
        if (!fmod_) throw Error(node.describe() + ": Mod of floating-point tensors requires fmod=1");
        binary_map<T, T, T>(a, b, result, [](T x, T y) { return std::fmod(x, y); });
      } else {
        check_no_zero_divisor<T>(b, node);
        binary_map<T, T, T>(a, b, result, [this](T x, T y) {
          T r = static_cast<T>(x % y);
          if constexpr (std::is_signed_v<T>) {
            if (!fmod_ && r != 0 && ((r < 0) != (y < 0))) r = static_cast<T>(r + y);
          }
          return r;
        });
      }
    });
    if (is_half(out_type)) {
      set_narrowed_output(ctx, 0, result, out_type);
    }
  }

 private:
  bool fmod_;
};

template <typename Cmp>
class ComparisonKernel : public OpKernel {
 public:
  explicit ComparisonKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    Tensor a = widen_half(ctx.required_input(0)), b = widen_half(ctx.required_input(1));
    const Node& node = ctx.node();
    check_same_type(a, b, node);
    Shape shape = broadcast_shapes({a.shape(), b.shape()}, node);
    Tensor& out = ctx.allocate_output(0, DType::Bool, shape);
    dispatch_numeric(a.dtype(), node, [&]<typename T>() {
      binary_map<T, T, bool>(a, b, out, [](T x, T y) { return Cmp{}(x, y); });
    });
  }
};

template <typename Logic>
class LogicalKernel : public OpKernel {
 public:
  explicit LogicalKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.required_input(0);
    const Tensor& b = ctx.required_input(1);
    if (a.dtype() != DType::Bool || b.dtype() != DType::Bool) {
      throw Error(ctx.node().describe() + ": operands must be bool");
    }
    Shape shape = broadcast_shapes({a.shape(), b.shape()}, ctx.node());
    Tensor& out = ctx.allocate_output(0, DType::Bool, shape);
    binary_map<bool, bool, bool>(a, b, out, [](bool x, bool y) { return Logic{}(x, y); });
  }
};

struct LogicalXor {
  bool operator()(bool a, bool b) const { return a != b; }
};

using AddKernel = ArithmeticKernel<AddOp>;
using SubKernel = ArithmeticKernel<SubOp>;
using MulKernel = ArithmeticKernel<MulOp>;
using DivKernel = ArithmeticKernel<DivOp>;
using PowKernel = ArithmeticKernel<PowOp>;
using EqualKernel = ComparisonKernel<std::equal_to<>>;
using LessKernel = ComparisonKernel<std::less<>>;
using LessOrEqualKernel = ComparisonKernel<std::less_equal<>>;
using GreaterKernel = ComparisonKernel<std::greater<>>;
using GreaterOrEqualKernel = ComparisonKernel<std::greater_equal<>>;
using AndKernel = LogicalKernel<std::logical_and<>>;
using OrKernel = LogicalKernel<std::logical_or<>>;
using XorKernel = LogicalKernel<LogicalXor>;

}  // namespace

EVALQ_REGISTER_KERNEL("", "Add", 7, kLatestOpset, AddKernel);
EVALQ_REGISTER_KERNEL("", "Sub", 7, kLatestOpset, SubKernel);
EVALQ_REGISTER_KERNEL("", "Mul", 7, kLatestOpset, MulKernel);
EVALQ_REGISTER_KERNEL("", "Div", 7, kLatestOpset, DivKernel);
EVALQ_REGISTER_KERNEL("", "Pow", 7, kLatestOpset, PowKernel);
EVALQ_REGISTER_KERNEL("", "Mod", 10, kLatestOpset, ModKernel);
EVALQ_REGISTER_KERNEL("", "Equal", 7, kLatestOpset, EqualKernel);
EVALQ_REGISTER_KERNEL("", "Less", 7, kLatestOpset, LessKernel);
EVALQ_REGISTER_KERNEL("", "LessOrEqual", 12, kLatestOpset, LessOrEqualKernel);
EVALQ_REGISTER_KERNEL("", "Greater", 7, kLatestOpset, GreaterKernel);
EVALQ_REGISTER_KERNEL("", "GreaterOrEqual", 12, kLatestOpset, GreaterOrEqualKernel);
EVALQ_REGISTER_KERNEL("", "And", 7, kLatestOpset, AndKernel);
EVALQ_REGISTER_KERNEL("", "Or", 7, kLatestOpset, OrKernel);
EVALQ_REGISTER_KERNEL("", "Xor", 7, kLatestOpset, XorKernel);

}  // namespace evalq
