// Elementwise unary ops. Floating ops compute in fp32 (fp16/bf16 widened, rounded back once).
#include <tbb/parallel_for.h>

#include <cmath>

#include "exec/kernel.h"
#include "ops/dispatch.h"
#include "ops/vec_math.h"

namespace evalq {
namespace {

template <typename In, typename Out, typename F>
void unary_map(const In* src, Out* dst, int64_t n, F f) {
  constexpr int64_t kGrain = 1 << 14;
  if (n < 2 * kGrain) {
    for (int64_t i = 0; i < n; ++i) dst[i] = f(src[i]);
    return;
  }
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, kGrain), [&](const tbb::blocked_range<int64_t>& r) {
    for (int64_t i = r.begin(); i < r.end(); ++i) dst[i] = f(src[i]);
  });
}

enum class Domain { Float, Signed, Any };

// A math function of one argument: Op::apply<T>(x) for the types its Domain allows.
template <typename Op, Domain D>
class UnaryKernel : public OpKernel {
 public:
  explicit UnaryKernel(const KernelInfo& info) : op_(info) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& in0 = ctx.required_input(0);
    const Node& node = ctx.node();
    if (is_half(in0.dtype())) {
      Tensor in = to_float32(in0);
      Tensor tmp = Tensor::empty(DType::Float32, in.shape());
      unary_map(in.data<float>(), tmp.mutable_data<float>(), in.numel(), [&](float x) { return op_(x); });
      set_narrowed_output(ctx, 0, tmp, in0.dtype());
      return;
    }
    Tensor& out = ctx.allocate_output_over_input(0, 0, in0.dtype(), in0.shape());
    dispatch_numeric(in0.dtype(), node, [&]<typename T>() {
      constexpr bool ok = D == Domain::Any ? !std::is_same_v<T, bool>
                          : D == Domain::Signed ? std::is_signed_v<T> || std::is_floating_point_v<T>
                                                : std::is_floating_point_v<T>;
      if constexpr (ok) {
        unary_map(in0.data<T>(), out.mutable_data<T>(), in0.numel(), [&](T x) { return op_(x); });
      } else {
        throw Error(node.describe() + ": element type " + dtype_name(in0.dtype()) + " is not supported");
      }
    });
  }

 private:
  Op op_;
};

#define EVALQ_UNARY_OP(Name, expr)                              \
  struct Name##Op {                                            \
    explicit Name##Op(const KernelInfo&) {}                    \
    template <typename T> T operator()(T x) const { return static_cast<T>(expr); } \
  }

EVALQ_UNARY_OP(Sqrt, std::sqrt(x));
EVALQ_UNARY_OP(Reciprocal, T(1) / x);
EVALQ_UNARY_OP(Exp, std::exp(x));
EVALQ_UNARY_OP(Log, std::log(x));
EVALQ_UNARY_OP(Sin, std::sin(x));
EVALQ_UNARY_OP(Cos, std::cos(x));
EVALQ_UNARY_OP(Tanh, std::tanh(x));
EVALQ_UNARY_OP(Erf, std::erf(x));
EVALQ_UNARY_OP(Floor, std::floor(x));
EVALQ_UNARY_OP(Ceil, std::ceil(x));
EVALQ_UNARY_OP(Round, std::nearbyint(x));
EVALQ_UNARY_OP(Softplus, x > T(20) ? x : std::log1p(std::exp(x)));
EVALQ_UNARY_OP(Neg, -x);
EVALQ_UNARY_OP(Abs, x < T(0) ? -x : x);
EVALQ_UNARY_OP(Relu, x > T(0) ? x : T(0));
EVALQ_UNARY_OP(Sign, (x > T(0)) - (x < T(0)));
#undef EVALQ_UNARY_OP

struct SigmoidOp {
  explicit SigmoidOp(const KernelInfo&) {}
  template <typename T> T operator()(T x) const {
    if constexpr (std::is_same_v<T, float>) {
      return sigmoid(x);
    } else {
      return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
    }
  }
};

struct GeluOp {
  explicit GeluOp(const KernelInfo& info) : tanh_(info.get_string("approximate", "none") == "tanh") {
    std::string a = info.get_string("approximate", "none");
    if (a != "none" && a != "tanh") info.fail("approximate must be 'none' or 'tanh', got '" + a + "'");
  }
  template <typename T> T operator()(T x) const {
    if (tanh_) {
      const T k = static_cast<T>(0.7978845608028654);  // sqrt(2/pi)
      return static_cast<T>(T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x))));
    }
    return static_cast<T>(T(0.5) * x * (T(1) + std::erf(x * static_cast<T>(M_SQRT1_2))));
  }
  bool tanh_;
};

struct LeakyReluOp {
  explicit LeakyReluOp(const KernelInfo& info) : alpha_(info.get_float("alpha", 0.01f)) {}
  template <typename T> T operator()(T x) const { return x >= T(0) ? x : static_cast<T>(x * static_cast<T>(alpha_)); }
  float alpha_;
};

struct EluOp {
  explicit EluOp(const KernelInfo& info) : alpha_(info.get_float("alpha", 1.0f)) {}
  template <typename T> T operator()(T x) const { return x >= T(0) ? x : static_cast<T>(alpha_ * (std::exp(x) - T(1))); }
  float alpha_;
};

// Ops whose output type differs from the input: Not (bool), IsNaN and IsInf (float -> bool).
class NotKernel : public OpKernel {
 public:
  explicit NotKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.required_input(0);
    if (in.dtype() != DType::Bool) throw Error(ctx.node().describe() + ": input must be bool");
    Tensor& out = ctx.allocate_output(0, DType::Bool, in.shape());
    unary_map(in.data<bool>(), out.mutable_data<bool>(), in.numel(), [](bool x) { return !x; });
  }
};

class IsNaNKernel : public OpKernel {
 public:
  explicit IsNaNKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    Tensor in = widen_half(ctx.required_input(0));
    Tensor& out = ctx.allocate_output(0, DType::Bool, in.shape());
    dispatch_numeric(in.dtype(), ctx.node(), [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T>) {
        unary_map(in.data<T>(), out.mutable_data<bool>(), in.numel(), [](T x) { return std::isnan(x); });
      } else {
        throw Error(ctx.node().describe() + ": input must be floating point");
      }
    });
  }
};

class IsInfKernel : public OpKernel {
 public:
  explicit IsInfKernel(const KernelInfo& info)
      : positive_(info.get_int("detect_positive", 1) != 0), negative_(info.get_int("detect_negative", 1) != 0) {}
  void compute(KernelContext& ctx) const override {
    Tensor in = widen_half(ctx.required_input(0));
    Tensor& out = ctx.allocate_output(0, DType::Bool, in.shape());
    dispatch_numeric(in.dtype(), ctx.node(), [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T>) {
        unary_map(in.data<T>(), out.mutable_data<bool>(), in.numel(), [this](T x) {
          return std::isinf(x) && ((x > 0 && positive_) || (x < 0 && negative_));
        });
      } else {
        throw Error(ctx.node().describe() + ": input must be floating point");
      }
    });
  }

 private:
  bool positive_, negative_;
};

using SqrtKernel = UnaryKernel<SqrtOp, Domain::Float>;
using ReciprocalKernel = UnaryKernel<ReciprocalOp, Domain::Float>;
using ExpKernel = UnaryKernel<ExpOp, Domain::Float>;
using LogKernel = UnaryKernel<LogOp, Domain::Float>;
using SinKernel = UnaryKernel<SinOp, Domain::Float>;
using CosKernel = UnaryKernel<CosOp, Domain::Float>;
using TanhKernel = UnaryKernel<TanhOp, Domain::Float>;
using ErfKernel = UnaryKernel<ErfOp, Domain::Float>;
using FloorKernel = UnaryKernel<FloorOp, Domain::Float>;
using CeilKernel = UnaryKernel<CeilOp, Domain::Float>;
using RoundKernel = UnaryKernel<RoundOp, Domain::Float>;
using SigmoidKernel = UnaryKernel<SigmoidOp, Domain::Float>;
using SoftplusKernel = UnaryKernel<SoftplusOp, Domain::Float>;
using GeluKernel = UnaryKernel<GeluOp, Domain::Float>;
using LeakyReluKernel = UnaryKernel<LeakyReluOp, Domain::Float>;
using EluKernel = UnaryKernel<EluOp, Domain::Float>;
using NegKernel = UnaryKernel<NegOp, Domain::Signed>;
using AbsKernel = UnaryKernel<AbsOp, Domain::Any>;
using ReluKernel = UnaryKernel<ReluOp, Domain::Signed>;
using SignKernel = UnaryKernel<SignOp, Domain::Any>;

}  // namespace

EVALQ_REGISTER_KERNEL("", "Sqrt", 6, kLatestOpset, SqrtKernel);
EVALQ_REGISTER_KERNEL("", "Reciprocal", 6, kLatestOpset, ReciprocalKernel);
EVALQ_REGISTER_KERNEL("", "Exp", 6, kLatestOpset, ExpKernel);
EVALQ_REGISTER_KERNEL("", "Log", 6, kLatestOpset, LogKernel);
EVALQ_REGISTER_KERNEL("", "Sin", 7, kLatestOpset, SinKernel);
EVALQ_REGISTER_KERNEL("", "Cos", 7, kLatestOpset, CosKernel);
EVALQ_REGISTER_KERNEL("", "Tanh", 6, kLatestOpset, TanhKernel);
EVALQ_REGISTER_KERNEL("", "Erf", 9, kLatestOpset, ErfKernel);
EVALQ_REGISTER_KERNEL("", "Floor", 6, kLatestOpset, FloorKernel);
EVALQ_REGISTER_KERNEL("", "Ceil", 6, kLatestOpset, CeilKernel);
EVALQ_REGISTER_KERNEL("", "Round", 11, kLatestOpset, RoundKernel);
EVALQ_REGISTER_KERNEL("", "Sigmoid", 6, kLatestOpset, SigmoidKernel);
EVALQ_REGISTER_KERNEL("", "Softplus", 1, kLatestOpset, SoftplusKernel);
EVALQ_REGISTER_KERNEL("", "Gelu", 20, kLatestOpset, GeluKernel);
EVALQ_REGISTER_KERNEL("", "LeakyRelu", 6, kLatestOpset, LeakyReluKernel);
EVALQ_REGISTER_KERNEL("", "Elu", 6, kLatestOpset, EluKernel);
EVALQ_REGISTER_KERNEL("", "Neg", 6, kLatestOpset, NegKernel);
EVALQ_REGISTER_KERNEL("", "Abs", 6, kLatestOpset, AbsKernel);
EVALQ_REGISTER_KERNEL("", "Relu", 6, kLatestOpset, ReluKernel);
EVALQ_REGISTER_KERNEL("", "Sign", 9, kLatestOpset, SignKernel);
EVALQ_REGISTER_KERNEL("", "Not", 1, kLatestOpset, NotKernel);
EVALQ_REGISTER_KERNEL("", "IsNaN", 9, kLatestOpset, IsNaNKernel);
EVALQ_REGISTER_KERNEL("", "IsInf", 10, kLatestOpset, IsInfKernel);

}  // namespace evalq
