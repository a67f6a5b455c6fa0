// The DequantizeLinear → MatMulNBits weight conversion (4 and 8 bits) (ORT's QDQ MatMul fusion) must describe
// exactly the same dequantized weights: W[k, n] = (x[k, n] − zp) · scale[k / block, n].
#include <gtest/gtest.h>

#include <random>

#include "quant/dq_to_nbits.h"
#include "quant/int4.h"

using namespace evalq;

namespace {

struct Case {
  DType type;
  bool with_zero_point;
  int64_t K, N, block;
};

class DqToNBits : public ::testing::TestWithParam<Case> {};

TEST_P(DqToNBits, DequantizesIdentically) {
  const Case c = GetParam();
  std::mt19937 rng(17);
  const bool is_signed = c.type == DType::Int4 || c.type == DType::Int8;
  const bool four_bit = c.type == DType::Int4 || c.type == DType::UInt4;
  const int lo = is_signed ? (four_bit ? -8 : -128) : 0, hi = four_bit ? (is_signed ? 7 : 15) : (is_signed ? 127 : 255);
  std::uniform_int_distribution<int> code(lo, hi);
  auto store = [&](Tensor& t, int64_t i, int v) {
    if (four_bit) {
      set_nibble(t.mutable_data<uint8_t>(), i, static_cast<uint8_t>(v));
    } else {
      t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(v);
    }
  };
  std::uniform_real_distribution<float> mag(-0.1f, 0.1f);
  const int64_t nb = (c.K + c.block - 1) / c.block;
  Tensor x = Tensor::zeros(c.type, {c.K, c.N});
  for (int64_t i = 0; i < c.K * c.N; ++i) store(x, i, code(rng));
  Tensor scale = Tensor::empty(DType::Float32, {nb, c.N});
  for (int64_t i = 0; i < nb * c.N; ++i) scale.mutable_data<float>()[i] = mag(rng);
  Tensor zp = Tensor::zeros(c.type, {nb, c.N});
  for (int64_t i = 0; i < nb * c.N; ++i) store(zp, i, code(rng));

  auto converted = nbits_from_blocked_dq(x, scale, c.with_zero_point ? &zp : nullptr, 0, c.block);
  ASSERT_TRUE(converted.has_value());
  NBitsWeights w(converted->shape, converted->b, converted->scales,
                 converted->zero_points.defined() ? &converted->zero_points : nullptr, nullptr, "test");
  std::vector<float> deq(static_cast<size_t>(c.N * c.K));
  w.dequantize_columns(0, c.N, deq.data());

  auto value = [&](const Tensor& t, int64_t i) {
    const uint8_t* p = t.data<uint8_t>();
    if (four_bit) return is_signed ? int32_t{int4_at(p, i)} : int32_t{uint4_at(p, i)};
    return is_signed ? int32_t{static_cast<int8_t>(p[i])} : int32_t{p[i]};
  };
  for (int64_t k = 0; k < c.K; ++k) {
    for (int64_t n = 0; n < c.N; ++n) {
      const int64_t si = (k / c.block) * c.N + n;
      const int32_t z = c.with_zero_point ? value(zp, si) : 0;
      const float expected = static_cast<float>(value(x, k * c.N + n) - z) * scale.data<float>()[si];
      ASSERT_EQ(deq[n * c.K + k], expected) << "k=" << k << " n=" << n;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, DqToNBits,
                         ::testing::Values(Case{DType::Int4, false, 64, 8, 32}, Case{DType::Int4, true, 70, 5, 16},
                                           Case{DType::UInt4, false, 128, 3, 128}, Case{DType::UInt4, true, 100, 7, 32},
                                           Case{DType::Int8, false, 64, 4, 32}, Case{DType::Int8, true, 50, 3, 16},
                                           Case{DType::UInt8, false, 96, 5, 64}, Case{DType::UInt8, true, 40, 6, 32}));

TEST(DqToNBitsPattern, RejectsWhatOrtDoesNotFuse) {
  Tensor x = Tensor::zeros(DType::Int4, {64, 4});
  Tensor scale = Tensor::zeros(DType::Float32, {2, 4});
  EXPECT_FALSE(nbits_from_blocked_dq(x, scale, nullptr, 1, 32).has_value());                           // axis 1
  EXPECT_FALSE(nbits_from_blocked_dq(x, scale, nullptr, 0, 24).has_value());                           // block 24
  EXPECT_FALSE(nbits_from_blocked_dq(Tensor::zeros(DType::Int16, {64, 4}), scale, nullptr, 0, 32).has_value());
  EXPECT_FALSE(nbits_from_blocked_dq(x, Tensor::zeros(DType::Float32, {4}), nullptr, 0, 32).has_value());
  EXPECT_TRUE(nbits_from_blocked_dq(x, scale, nullptr, 0, 32).has_value());
}

}  // namespace
