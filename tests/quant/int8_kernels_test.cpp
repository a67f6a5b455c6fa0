// MatMulNBits' int8 path against plain reference loops: the activation quantization must give
// ORT's exact codes (the SIMD loop and the scalar rule agree bit for bit), and the tiled VNNI
// kernel must match the per-block formula for every tile shape, K tail and zero-point kind.
#include <evalq/tensor.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/int8_activations.h"
#include "quant/int8_nbits_matmul.h"
#include "quant/nbits_weights.h"

namespace evalq {
namespace {

// ORT's rule, element by element (see quant/int8_activations.h).
void reference_quantize(const float* a, int64_t count, int8_t* q, float* scale) {
  float amax = 0.0f;
  for (int64_t i = 0; i < count; ++i) amax = std::max(amax, std::fabs(a[i]));
  *scale = amax / 127.0f;
  const float inverse = amax != 0.0f ? 127.0f / amax : 0.0f;
  for (int64_t i = 0; i < count; ++i) q[i] = static_cast<int8_t>(std::clamp(std::nearbyint(a[i] * inverse), -128.0f, 127.0f));
}

TEST(Int8Activations, MatchesTheScalarRuleExactly) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  const int64_t rows = 5, K = 200, block = 32;  // last block of 8 values
  std::vector<float> a(rows * K);
  for (auto& v : a) v = normal(rng);
  // Values on exact rounding ties: 127 · x / amax lands on k + 0.5.
  for (int64_t i = 0; i < 32; ++i) a[i] = (i == 0 ? 127.0f : static_cast<float>(i) + 0.5f) / 127.0f;
  const Int8Rows r = quantize_rows_int8(a.data(), rows, K, block);
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t blk = 0; blk < r.n_blocks; ++blk) {
      const int64_t count = std::min(block, K - blk * block);
      std::vector<int8_t> q(count);
      float scale = 0.0f;
      reference_quantize(a.data() + row * K + blk * block, count, q.data(), &scale);
      EXPECT_EQ(scale, r.scale[row * r.n_blocks + blk]);
      for (int64_t i = 0; i < count; ++i) ASSERT_EQ(q[i], r.q[row * r.n_blocks * block + blk * block + i]) << row << " " << blk << " " << i;
    }
  }
}

struct Shape {
  int64_t M, K, N, block;
  bool packed_zero_points;
};

TEST(Int8NBitsMatmul, MatchesThePerBlockFormula) {
  const Shape shapes[] = {{9, 456, 13, 32, false}, {9, 456, 13, 32, true},  {4, 512, 8, 64, false},
                          {1, 384, 5, 128, false}, {7, 640, 6, 256, true},  {3, 96, 4, 32, false},
                          {5, 1100, 4, 512, false}};
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (const Shape& sh : shapes) {
    NBitsShape shape;
    shape.K = sh.K;
    shape.N = sh.N;
    shape.bits = 4;
    shape.block_size = sh.block;
    const int64_t nb = shape.n_blocks(), padded = nb * sh.block;
    std::vector<uint8_t> packed(sh.N * nb * shape.blob_bytes());
    for (auto& b : packed) b = static_cast<uint8_t>(rng());
    std::vector<float> scales(sh.N * nb);
    for (auto& s : scales) s = 0.05f * normal(rng);
    std::vector<uint8_t> zero_points(sh.N * shape.packed_zero_point_bytes());
    for (auto& z : zero_points) z = static_cast<uint8_t>(rng());
    std::vector<float> a(sh.M * sh.K);
    for (auto& v : a) v = normal(rng);
    const Tensor b = Tensor::from_vector(DType::UInt8, {sh.N, nb, shape.blob_bytes()}, packed);
    const Tensor s = Tensor::from_vector(DType::Float32, {sh.N, nb}, scales);
    const Tensor zp = Tensor::from_vector(DType::UInt8, {static_cast<int64_t>(zero_points.size())}, zero_points);
    const NBitsWeights w(shape, b, s, sh.packed_zero_points ? &zp : nullptr, nullptr, "test");
    std::vector<float> c(sh.M * sh.N, 123.0f);
    int8_nbits_matmul(w, a.data(), sh.M, c.data());
    const Int8Rows qa = quantize_rows_int8(a.data(), sh.M, sh.K, sh.block);
    std::vector<uint8_t> codes(padded);
    for (int64_t n = 0; n < sh.N; ++n) {
      w.unpack_columns(n, 1, codes.data());
      for (int64_t m = 0; m < sh.M; ++m) {
        double expected = 0.0;
        for (int64_t blk = 0; blk < nb; ++blk) {
          int64_t dot = 0;
          for (int64_t i = blk * sh.block; i < (blk + 1) * sh.block; ++i) {
            dot += static_cast<int64_t>(qa.q[m * padded + i]) * (codes[i] - w.int_zero_point(n, blk));
          }
          expected += static_cast<double>(qa.scale[m * nb + blk]) * w.scale(n, blk) * static_cast<double>(dot);
        }
        ASSERT_NEAR(c[m * sh.N + n], expected, 1e-4 * (1.0 + std::fabs(expected)))
            << "M=" << sh.M << " K=" << sh.K << " N=" << sh.N << " block=" << sh.block << " m=" << m << " n=" << n;
      }
    }
  }
}

}  // namespace
}  // namespace evalq
