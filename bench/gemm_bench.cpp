// Times evalq's own GEMM kernel (ops/gemm_kernel.h) against OpenBLAS sgemm on one product shape:
// gemm_bench M K N [--threads T] [--repeat R]. B is cycled through enough copies to exceed the
// last-level cache, so every call reads its weights from memory as a model's layers do. Prints the
// median seconds and GFLOP/s of each side and their largest difference.
#include <cblas.h>
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
    std::fprintf(stderr, "usage: gemm_bench M K N [--threads T] [--repeat R]\n");
    return 2;
  }
  const int64_t M = std::atoll(argv[1]), K = std::atoll(argv[2]), N = std::atoll(argv[3]);
  int threads = 1, repeat = 9;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
  }
  evalq::set_num_threads(threads);
  constexpr int64_t kColdBytes = int64_t{96} << 20;
  const int64_t copies = std::max<int64_t>(1, kColdBytes / (K * N * 4));
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> a(M * K), b(copies * K * N), ours(M * N), theirs(M * N);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  std::vector<double> ours_s, theirs_s;
  for (int r = 0; r < repeat; ++r) {
    const float* br = b.data() + (r % copies) * K * N;
    auto t0 = std::chrono::steady_clock::now();
    evalq::parallel_sgemm({.M = M, .N = N, .K = K, .a = a.data(), .lda = K, .b = br, .ldb = N, .c = ours.data(), .ldc = N});
    auto t1 = std::chrono::steady_clock::now();
    {
      evalq::SerialBlas serial;
      openblas_set_num_threads(threads);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.f, a.data(), K, br, N, 0.f, theirs.data(), N);
    }
    auto t2 = std::chrono::steady_clock::now();
    ours_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    theirs_s.push_back(std::chrono::duration<double>(t2 - t1).count());
  }
  double diff = 0;
  for (int64_t i = 0; i < M * N; ++i) diff = std::max(diff, double(std::fabs(ours[i] - theirs[i])));
  const double flop = 2.0 * M * K * N, e = median(ours_s), o = median(theirs_s);
  std::printf("M=%lld K=%lld N=%lld threads=%d evalq %.5f s %.1f GFLOP/s openblas %.5f s %.1f GFLOP/s ratio %.3f max_diff %.2g\n",
              static_cast<long long>(M), static_cast<long long>(K), static_cast<long long>(N), threads, e, flop / e * 1e-9,
              o, flop / o * 1e-9, o / e, diff);
}
