// Times MatMulNBits' int8 path (4-bit, accuracy_level 4) on one layer with random weights:
// nbits_matmul_bench M K N [--block B] [--threads T] [--repeat R]. Prints the median seconds and
// the rate in int8 multiply-adds per second, so kernel changes can be measured without a model.
#include <evalq/tensor.h>
#include <evalq/threads.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "quant/int8_nbits_matmul.h"
#include "quant/nbits_weights.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: nbits_matmul_bench M K N [--block B] [--threads T] [--repeat R]\n");
    return 2;
  }
  const int64_t M = std::atoll(argv[1]), K = std::atoll(argv[2]), N = std::atoll(argv[3]);
  int64_t block = 32;
  int threads = 1, repeat = 5;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--block") block = std::atoll(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
  }
  evalq::set_num_threads(threads);
  evalq::NBitsShape shape;
  shape.K = K;
  shape.N = N;
  shape.bits = 4;
  shape.block_size = block;
  std::mt19937 rng(7);
  std::vector<uint8_t> packed(static_cast<size_t>(N * shape.n_blocks() * shape.blob_bytes()));
  for (auto& b : packed) b = static_cast<uint8_t>(rng());
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> scales(static_cast<size_t>(N * shape.n_blocks()));
  for (auto& s : scales) s = 0.01f * normal(rng);
  std::vector<float> a(static_cast<size_t>(M * K));
  for (auto& v : a) v = normal(rng);
  const evalq::Tensor b = evalq::Tensor::from_vector(evalq::DType::UInt8, {N, shape.n_blocks(), shape.blob_bytes()}, packed);
  const evalq::Tensor s = evalq::Tensor::from_vector(evalq::DType::Float32, {N, shape.n_blocks()}, scales);
  const evalq::NBitsWeights weights(shape, b, s, nullptr, nullptr, "bench");
  std::vector<float> c(static_cast<size_t>(M * N));
  evalq::int8_nbits_matmul(weights, a.data(), M, c.data());
  // CPU seconds too: on a shared machine they vary less than wall time.
  std::vector<double> seconds, cpu_seconds;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    evalq::int8_nbits_matmul(weights, a.data(), M, c.data());
    cpu_seconds.push_back(static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  std::sort(cpu_seconds.begin(), cpu_seconds.end());
  const double median = seconds[seconds.size() / 2];
  double checksum = 0.0;
  for (float v : c) checksum += v;
  std::printf("M=%lld K=%lld N=%lld block=%lld threads=%d median_s=%.5f min_cpu_s=%.5f gmacs=%.1f checksum=%.6g\n",
              static_cast<long long>(M), static_cast<long long>(K), static_cast<long long>(N),
              static_cast<long long>(block), threads, median, cpu_seconds.front(), static_cast<double>(M) * K * N / median / 1e9, checksum);
  return 0;
}
