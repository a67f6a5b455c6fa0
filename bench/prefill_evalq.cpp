// Times one prefill window in evalq: loads MODEL, runs a warm-up pass, then `--repeat` timed
// passes of `--tokens` token ids; prints tokens/s per pass (median) and peak RSS.
#include <evalq/session.h>
#include <evalq/threads.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: prefill_evalq MODEL [--tokens N] [--repeat R] [--threads T] [--numerics NAME] [--rows all|last]\n");
    return 2;
  }
  std::string model_path = argv[1];
  int tokens = 1024, repeat = 3, threads = 2;
  bool all_rows = true;
  std::string numerics = "model";
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--tokens") tokens = std::atoi(argv[i + 1]);
    else if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--numerics") numerics = argv[i + 1];
    else if (flag == "--rows") all_rows = std::string(argv[i + 1]) == "all";
  }
  try {
    evalq::set_num_threads(threads);
    evalq::EngineOptions options;
    options.numerics = evalq::parse_numerics(numerics);
    evalq::Session session(evalq::Model::load(model_path, options));
    std::vector<int64_t> ids(tokens);
    for (int i = 0; i < tokens; ++i) ids[i] = 1 + (i * 7919) % 500;
    // All rows matches what ORT computes; the last row alone is what row selection buys a metric
    // that scores few positions.
    std::vector<int64_t> rows;
    if (!all_rows) rows.push_back(tokens - 1);
    session.forward(ids, nullptr, rows, false);
    // CPU seconds too: with one thread on a shared machine they vary less than wall time.
    std::vector<double> seconds, cpu_seconds;
    for (int r = 0; r < repeat; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      const std::clock_t cpu0 = std::clock();
      session.forward(ids, nullptr, rows, false);
      cpu_seconds.push_back(static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    std::sort(cpu_seconds.begin(), cpu_seconds.end());
    double median = seconds[seconds.size() / 2];
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("evalq rows=%s tokens=%d threads=%d median_s=%.4f median_cpu_s=%.4f tokens_per_s=%.1f peak_rss_mb=%.1f\n",
                all_rows ? "all" : "last", tokens, threads, median, cpu_seconds[cpu_seconds.size() / 2], tokens / median, usage.ru_maxrss / 1024.0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prefill_evalq: %s\n", e.what());
    return 1;
  }
  return 0;
}
