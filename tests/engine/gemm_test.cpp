#include <evalq/tensor.h>
#include <evalq/threads.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/tensor_memory.h"
#include "ops/gemm.h"
#include "ops/gemm_kernel.h"

using namespace evalq;

namespace {

// A product inside larger buffers (leading dimensions wider than the operands), so reads past an
// operand's edge and writes past C's show up as wrong values or a changed guard.
struct Product {
  int64_t M, N, K;
  std::vector<float> a, b, c, expected, bound;
  SgemmArgs args;

  std::vector<uint16_t> b_bits;

  // half: B given as fp16 or bf16 bits (SgemmArgs::b_half); the exact product is of their values.
  Product(int64_t m, int64_t n, int64_t k, float beta, uint32_t seed, DType half = DType::Float32)
      : M(m), N(n), K(k) {
    const int64_t lda = K + 3, ldb = N + 5, ldc = N + 7;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    a.resize(std::max<int64_t>(1, M * lda));
    b.resize(std::max<int64_t>(1, K * ldb));
    c.resize(M * ldc);
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    for (float& x : c) x = dist(rng);
    if (half != DType::Float32) {
      for (float& x : b) {
        b_bits.push_back(half == DType::Float16 ? float_to_half(x) : float_to_bfloat16(x));
        x = half == DType::Float16 ? half_to_float(b_bits.back()) : bfloat16_to_float(b_bits.back());
      }
    }
    expected = c;
    bound.assign(c.size(), 0.f);
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        double sum = beta == 1.f ? c[i * ldc + j] : 0.0, magnitude = std::fabs(sum);
        for (int64_t p = 0; p < K; ++p) {
          sum += double(a[i * lda + p]) * b[p * ldb + j];
          magnitude += std::fabs(double(a[i * lda + p]) * b[p * ldb + j]);
        }
        expected[i * ldc + j] = static_cast<float>(sum);
        bound[i * ldc + j] = static_cast<float>(2e-6 * magnitude + 1e-30);
      }
    }
    args = {.M = M, .N = N, .K = K, .a = a.data(), .lda = lda, .b = b.data(), .ldb = ldb, .beta = beta,
            .c = c.data(), .ldc = ldc};
    if (half != DType::Float32) {
      args.b = nullptr;
      args.b_half = b_bits.data();
      args.b_half_type = half;
    }
  }

  void check(const std::string& what) const {
    for (size_t i = 0; i < c.size(); ++i) {
      const float tolerance = bound[i];
      ASSERT_LE(std::fabs(c[i] - expected[i]), tolerance)
          << what << " M=" << M << " N=" << N << " K=" << K << " at " << i / args.ldc << "," << i % args.ldc;
    }
  }
};

class GemmKernel : public ::testing::TestWithParam<float> {};

}  // namespace

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
TEST(GemmKernel, AppliesToUntransposedProductsInAnAvx512Build) {
  EXPECT_TRUE(gemm_kernel_applies({.M = 64, .N = 64, .K = 64, .beta = 0.f}));
  EXPECT_TRUE(gemm_kernel_applies({.M = 64, .N = 64, .K = 64, .beta = 1.f}));
  EXPECT_FALSE(gemm_kernel_applies({.trans_b = true, .M = 64, .N = 64, .K = 64}));
  EXPECT_FALSE(gemm_kernel_applies({.trans_a = true, .M = 64, .N = 64, .K = 64}));
  EXPECT_FALSE(gemm_kernel_applies({.M = 64, .N = 64, .K = 64, .alpha = 0.5f}));
  EXPECT_FALSE(gemm_kernel_applies({.M = 64, .N = 64, .K = 64, .beta = 0.5f}));
}
#endif

// Every row count of the 12-row tile, partial 16- and 32-column strips, 128-column blocks and
// K blocks (more than 1024 deep splits into equal blocks), on one thread.
TEST_P(GemmKernel, MatchesTheExactProductOnEveryEdge) {
  const float beta = GetParam();
  uint32_t seed = 1;
  for (int64_t M : {1, 11, 12, 13, 25, 40}) {
    for (int64_t N : {1, 15, 16, 17, 32, 33, 128, 161}) {
      for (int64_t K : {0, 1, 9, 1025}) {
        Product p(M, N, K, beta, seed++);
        if (!gemm_kernel_applies(p.args)) GTEST_SKIP() << "this build has no AVX-512";
        gemm_kernel(p.args);
        p.check("gemm_kernel");
      }
    }
  }
}

// The split into 128-column blocks by 12-row-aligned row parts that parallel_sgemm hands to TBB.
TEST_P(GemmKernel, ParallelSplitsMatchTheExactProduct) {
  const float beta = GetParam();
  const int threads = num_threads();
  set_num_threads(2);
  uint32_t seed = 100;
  for (auto [M, N, K] : {std::array<int64_t, 3>{1024, 128, 64}, {300, 896, 40}, {97, 1000, 70}, {31, 300, 200},
                         {64, 4097, 16}}) {
    Product p(M, N, K, beta, seed++);
    parallel_sgemm(p.args);
    p.check("parallel_sgemm");
  }
  set_num_threads(threads);
}

// fp16 and bf16 weights read as stored: the kernel widens them while packing, every other path
// (few rows included, transposed B) widens B first; either way the product of their exact values.
TEST(GemmKernel, HalfWeightsGiveTheProductOfTheirValues) {
  const int threads = num_threads();
  set_num_threads(2);
  uint32_t seed = 200;
  for (DType half : {DType::Float16, DType::BFloat16}) {
    for (float beta : {0.f, 1.f}) {
      for (auto [M, N, K] : {std::array<int64_t, 3>{1, 300, 40}, {5, 33, 1025}, {13, 17, 9}, {64, 4097, 16},
                             {300, 896, 40}}) {
        Product p(M, N, K, beta, seed++, half);
        parallel_sgemm(p.args);
        p.check(std::string("parallel_sgemm ") + dtype_name(half));
        Product single(M, N, K, beta, seed++, half);
        sgemm(single.args);
        single.check(std::string("sgemm ") + dtype_name(half));
      }
    }
  }
  set_num_threads(threads);
}

INSTANTIATE_TEST_SUITE_P(Beta, GemmKernel, ::testing::Values(0.f, 1.f),
                         [](const auto& info) { return info.param == 0.f ? std::string("Overwrite") : std::string("Accumulate"); });

TEST(TensorMemory, LargeBuffersAreHugePageAligned) {
  void* small = allocate_tensor_memory(100);
  void* large = allocate_tensor_memory((size_t{2} << 20) + 1);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large) % (size_t{2} << 20), 0u);
  std::free(small);
  std::free(large);
}
