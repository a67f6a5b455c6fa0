#include <gtest/gtest.h>

#include "exec/buffer_pool.h"

using namespace evalq;

TEST(BufferPool, ReusesReleasedBuffersOfTheSameSize) {
  BufferPool pool;
  void* first;
  {
    auto a = pool.acquire(1000);
    first = a.get();
  }
  auto b = pool.acquire(1000);
  EXPECT_EQ(b.get(), first);
  auto c = pool.acquire(1000);
  EXPECT_NE(c.get(), first);
}

TEST(BufferPool, FreesBuffersIdleForTwoRuns) {
  BufferPool pool;
  { auto a = pool.acquire(4096); }
  EXPECT_EQ(pool.cached_bytes(), 4096u);
  pool.end_run();
  pool.end_run();
  EXPECT_EQ(pool.cached_bytes(), 4096u);
  pool.end_run();
  EXPECT_EQ(pool.cached_bytes(), 0u);
}

TEST(BufferPool, BuffersOutliveThePool) {
  std::shared_ptr<void> kept;
  {
    BufferPool pool;
    kept = pool.acquire(64);
  }
  static_cast<char*>(kept.get())[0] = 1;  // still valid; freed when `kept` goes
}
