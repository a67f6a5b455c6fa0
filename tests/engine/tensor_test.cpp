#include <evalq/tensor.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/float8.h"
#include "io/npy.h"
#include <evalq/sha256.h>

using namespace evalq;

TEST(Half, EveryFiniteHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_half(f), h) << "half bits " << h;
  }
}

TEST(Half, RoundsToNearestEven) {
  EXPECT_EQ(half_to_float(float_to_half(1.0f + 1.0f / 2048)), 1.0f);  // tie, rounds to even
  EXPECT_EQ(half_to_float(float_to_half(1.0f + 3.0f / 2048)), 1.0f + 4.0f / 2048);
  EXPECT_EQ(half_to_float(float_to_half(65520.0f)), INFINITY);
  EXPECT_EQ(half_to_float(float_to_half(65519.0f)), 65504.0f);
  EXPECT_EQ(half_to_float(float_to_half(std::ldexp(1.0f, -25))), 0.0f);        // tie to zero
  EXPECT_EQ(half_to_float(float_to_half(std::ldexp(1.5f, -25))), std::ldexp(1.0f, -24));
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(bfloat16_to_float(float_to_bfloat16(1.0f)), 1.0f);
  EXPECT_EQ(bfloat16_to_float(float_to_bfloat16(1.0f + 1.0f / 256)), 1.0f);
  EXPECT_EQ(bfloat16_to_float(float_to_bfloat16(1.0f + 3.0f / 256)), 1.0f + 4.0f / 256);
}

TEST(Float8, E4M3FNKnownValuesAndRoundTrip) {
  EXPECT_EQ(float8_to_float(DType::Float8E4M3FN, 0x7e), 448.0f);
  EXPECT_TRUE(std::isnan(float8_to_float(DType::Float8E4M3FN, 0x7f)));
  EXPECT_EQ(float8_to_float(DType::Float8E4M3FN, 0x01), std::ldexp(1.0f, -9));
  EXPECT_EQ(float_to_float8(DType::Float8E4M3FN, 1000.0f, true), 0x7e);
  for (int code = 0; code < 256; ++code) {
    for (DType t : {DType::Float8E4M3FN, DType::Float8E5M2}) {
      float f = float8_to_float(t, static_cast<uint8_t>(code));
      if (!std::isfinite(f) || (f == 0 && std::signbit(f))) continue;
      EXPECT_EQ(float_to_float8(t, f, true), code) << dtype_name(t) << " code " << code;
    }
  }
}

TEST(Tensor, ReshapeSharesStorageAndChecksCount) {
  Tensor t = Tensor::zeros(DType::Float32, {2, 3});
  Tensor r = t.reshaped({3, 2});
  EXPECT_EQ(r.raw(), t.raw());
  EXPECT_THROW(t.reshaped({4, 2}), std::exception);
  EXPECT_EQ(Tensor::empty(DType::Int4, {3}).nbytes(), 2u);
}

TEST(Npy, RoundTrip) {
  Tensor t = Tensor::from_vector<float>(DType::Float32, {2, 2}, {1.5f, -2.f, 3.f, 4.25f});
  auto path = std::filesystem::temp_directory_path() / "evalq_npy_roundtrip.npy";
  write_npy(path, t);
  Tensor back = read_npy(path);
  ASSERT_EQ(shape_string(back.shape()), "[2, 2]");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(back.data<float>()[i], t.data<float>()[i]);
  std::filesystem::remove(path);
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}
