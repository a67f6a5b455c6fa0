#include "common/progress.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace evalq {

namespace {

std::atomic<int> g_silence_depth{0};

std::string format_seconds(double s) {
  char buf[32];
  int total = static_cast<int>(s + 0.5);
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", total / 3600, total / 60 % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dm%02ds", total / 60, total % 60);
  }
  return buf;
}

}  // namespace

Progress::Progress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total) {
  const char* env = std::getenv("EVALQ_PROGRESS");
  enabled_ = !(env && std::strcmp(env, "0") == 0) && g_silence_depth.load() == 0;
  tty_ = isatty(STDERR_FILENO) != 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  if (!finished_ && done_ > 0) finish();
}

void Progress::advance(int64_t n, const std::string& status) {
  done_ += n;
  status_ = status;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  } else {
    int decile = total_ > 0 ? static_cast<int>(10 * done_ / total_) : 0;
    if (decile == last_decile_) return;
    last_decile_ = decile;
  }
  last_draw_ = now;
  draw(false);
}

void Progress::finish(const std::string& status) {
  if (!status.empty()) status_ = status;
  finished_ = true;
  if (enabled_) draw(true);
}

void Progress::draw(bool final_line) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? done_ / elapsed : 0;
  char line[256];
  int pct = total_ > 0 ? static_cast<int>(100 * done_ / total_) : 100;
  std::string eta = final_line ? "done in " + format_seconds(elapsed)
                               : "ETA " + (rate > 0 ? format_seconds((total_ - done_) / rate) : std::string("?"));
  std::snprintf(line, sizeof line, "%s %3d%% %lld/%lld %s, %.1f %s/s, %s", label_.c_str(), pct,
                static_cast<long long>(done_), static_cast<long long>(total_), unit_.c_str(), rate,
                unit_.c_str(), eta.c_str());
  std::string text = line;
  if (!status_.empty()) text += ", " + status_;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", text.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

ProgressSilence::ProgressSilence() { ++g_silence_depth; }
ProgressSilence::~ProgressSilence() { --g_silence_depth; }

}  // namespace evalq
