#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace evalq {

// A progress line on stderr: done/total, rate, ETA and a caller-supplied status (e.g. the running
// PPL). Redrawn in place on a terminal at most 5 times a second; elsewhere (CI logs) printed at
// every 10 % step. EVALQ_PROGRESS=0 silences it.
class Progress {
 public:
  Progress(std::string label, int64_t total, std::string unit);
  ~Progress();
  void advance(int64_t n, const std::string& status = "");
  void finish(const std::string& status = "");

 private:
  void draw(bool final_line);
  std::string label_, unit_, status_;
  int64_t total_, done_ = 0;
  int last_decile_ = -1;
  bool enabled_, tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// While one lives, new Progress lines stay silent: a metric that drives other metrics (sensitivity
// runs kld per layer) shows its own progress instead of theirs.
class ProgressSilence {
 public:
  ProgressSilence();
  ~ProgressSilence();
  ProgressSilence(const ProgressSilence&) = delete;
  ProgressSilence& operator=(const ProgressSilence&) = delete;
};

}  // namespace evalq
