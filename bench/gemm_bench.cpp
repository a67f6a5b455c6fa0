// Times evalq's own GEMM kernel (ops/gemm_kernel.h) against OpenBLAS sgemm on one product shape:
// gemm_bench M K N [--threads T] [--repeat R] [--half fp16|bf16]. B is cycled through enough
// copies to exceed the last-level cache, so every call reads its weights from memory as a model's
// layers do. With --half, B is stored in that type and the comparison is the kernel packing it as
// stored against widening all of B to fp32 first and multiplying that (what MatMul did before).
// Prints the median seconds and GFLOP/s of each side and their largest difference.
#include <cblas.h>
#include <evalq/tensor.h>
#include <evalq/threads.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ops/gemm.h"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: gemm_bench M K N [--threads T] [--repeat R] [--half fp16|bf16]\n");
    return 2;
  }
  const int64_t M = std::atoll(argv[1]), K = std::atoll(argv[2]), N = std::atoll(argv[3]);
  int threads = 1, repeat = 9;
  evalq::DType half = evalq::DType::Float32;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--threads") threads = std::atoi(value.c_str());
    else if (flag == "--repeat") repeat = std::atoi(value.c_str());
    else if (flag == "--half") half = value == "bf16" ? evalq::DType::BFloat16 : evalq::DType::Float16;
  }
  const bool halves = half != evalq::DType::Float32;
  evalq::set_num_threads(threads);
  constexpr int64_t kColdBytes = int64_t{96} << 20;
  const int64_t copies = std::max<int64_t>(1, kColdBytes / (K * N * (halves ? 2 : 4)));
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> a(M * K), b(copies * K * N), ours(M * N), theirs(M * N);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  std::vector<uint16_t> b_bits;
  if (halves) {
    for (float x : b) b_bits.push_back(half == evalq::DType::Float16 ? evalq::float_to_half(x) : evalq::float_to_bfloat16(x));
    b.clear();
  }
  std::vector<double> ours_s, theirs_s;
  for (int r = 0; r < repeat; ++r) {
    const int64_t at = (r % copies) * K * N;
    evalq::SgemmArgs product{.M = M, .N = N, .K = K, .a = a.data(), .lda = K, .ldb = N, .c = ours.data(), .ldc = N};
    if (halves) {
      product.b_half = b_bits.data() + at;
      product.b_half_type = half;
    } else {
      product.b = b.data() + at;
    }
    auto t0 = std::chrono::steady_clock::now();
    evalq::parallel_sgemm(product);
    auto t1 = std::chrono::steady_clock::now();
    if (halves) {
      std::vector<float> wide(K * N);
      evalq::widen_halves(half, b_bits.data() + at, K * N, wide.data());
      evalq::parallel_sgemm({.M = M, .N = N, .K = K, .a = a.data(), .lda = K, .b = wide.data(), .ldb = N,
                             .c = theirs.data(), .ldc = N});
    } else {
      evalq::SerialBlas serial;
      openblas_set_num_threads(threads);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.f, a.data(), K, b.data() + at, N, 0.f,
                  theirs.data(), N);
    }
    auto t2 = std::chrono::steady_clock::now();
    ours_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    theirs_s.push_back(std::chrono::duration<double>(t2 - t1).count());
  }
  double diff = 0;
  for (int64_t i = 0; i < M * N; ++i) diff = std::max(diff, double(std::fabs(ours[i] - theirs[i])));
  const double flop = 2.0 * M * K * N, e = median(ours_s), o = median(theirs_s);
  std::printf("M=%lld K=%lld N=%lld threads=%d evalq %.5f s %.1f GFLOP/s %s %.5f s %.1f GFLOP/s ratio %.3f max_diff %.2g\n",
              static_cast<long long>(M), static_cast<long long>(K), static_cast<long long>(N), threads, e, flop / e * 1e-9,
              halves ? "widen+gemm" : "openblas", o, flop / o * 1e-9, o / e, diff);
}
