#include <evalq/threads.h>

#include <cblas.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <memory>
#include <mutex>

namespace evalq {
namespace {

std::mutex g_mutex;
std::unique_ptr<tbb::global_control> g_control;
int g_threads = 0;

}  // namespace

void set_num_threads(int threads) {
  std::lock_guard lock(g_mutex);
  int n = threads > 0 ? threads : tbb::info::default_concurrency();
  g_control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, n);
  openblas_set_num_threads(n);
  g_threads = n;
}

int num_threads() {
  std::lock_guard lock(g_mutex);
  return g_threads > 0 ? g_threads : tbb::info::default_concurrency();
}

}  // namespace evalq
