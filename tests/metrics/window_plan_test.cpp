// Scored-target sets of each window method, worked out by hand from the reference scripts' loops.
#include <evalq/error.h>
#include <gtest/gtest.h>

#include "ppl/window_plan.h"

using namespace evalq;

namespace {

// Absolute positions of every scored target, in order.
std::vector<int64_t> targets(const std::vector<Window>& windows) {
  std::vector<int64_t> out;
  for (const Window& w : windows) {
    for (int64_t r = w.row_begin; r < w.row_end; ++r) {
      if (w.begin + r + 1 < w.end) out.push_back(w.begin + r + 1);
    }
  }
  return out;
}

std::vector<int64_t> range(int64_t a, int64_t b) {
  std::vector<int64_t> v;
  for (int64_t i = a; i < b; ++i) v.push_back(i);
  return v;
}

std::vector<int64_t> concat(std::initializer_list<std::vector<int64_t>> parts) {
  std::vector<int64_t> v;
  for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

WindowSpec spec(WindowMethod m, int64_t seq, int64_t chunk) {
  WindowSpec s;
  s.method = m;
  s.seq = seq;
  s.chunk = chunk;
  return s;
}

}  // namespace

TEST(WindowPlan, ModelOptScoresTheLastChunkMinusItsFirstToken) {
  const WindowSpec s = spec(WindowMethod::ModelOpt, 8, 4);
  // Exactly one window: positions 5..7 (the last chunk 4..7 minus its first token).
  EXPECT_EQ(targets(plan_windows(8, s)), range(5, 8));
  // Exact multiple: windows [0,8) [4,12) [8,16).
  auto w = plan_windows(16, s);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1].begin, 4);
  EXPECT_EQ(w[1].end, 12);
  EXPECT_EQ(targets(w), concat({range(5, 8), range(9, 12), range(13, 16)}));
  // One leftover token: ModelOpt's last window has trg_len 1 and scores nothing.
  EXPECT_EQ(targets(plan_windows(17, s)), targets(w));
  // Three leftover tokens: the last window [12,19) scores its last 2 targets.
  EXPECT_EQ(targets(plan_windows(19, s)), concat({range(5, 8), range(9, 12), range(13, 16), range(17, 19)}));
  EXPECT_THROW(plan_windows(7, s), Error);                              // shorter than one window
  EXPECT_THROW(plan_windows(16, spec(WindowMethod::ModelOpt, 8, 3)), Error);  // seq not a multiple of chunk
}

TEST(WindowPlan, ModelOptDefaultFirstWindowScores513To1023) {
  auto w = plan_windows(5000, spec(WindowMethod::ModelOpt, 1024, 512));
  EXPECT_EQ(w[0].row_begin, 512);
  EXPECT_EQ(w[0].row_end, 1023);
  EXPECT_EQ(scored_targets(w[0]), 511);
}

TEST(WindowPlan, HfScoresEveryTokenButTheFirstExactlyOnce) {
  const WindowSpec s = spec(WindowMethod::Hf, 8, 4);
  EXPECT_EQ(targets(plan_windows(5, s)), range(1, 5));  // shorter than a window: one window
  auto w16 = plan_windows(16, s);
  ASSERT_EQ(w16.size(), 3u);
  EXPECT_EQ(targets(w16), range(1, 16));
  EXPECT_EQ(scored_targets(w16[0]), 7);
  EXPECT_EQ(scored_targets(w16[1]), 4);
  auto w17 = plan_windows(17, s);  // one leftover: a last window [12,17) scoring token 16 only
  ASSERT_EQ(w17.size(), 4u);
  EXPECT_EQ(w17[3].begin, 12);
  EXPECT_EQ(scored_targets(w17[3]), 1);
  EXPECT_EQ(targets(w17), range(1, 17));
  EXPECT_THROW(plan_windows(1, s), Error);
}

TEST(WindowPlan, LlamaCppScoresTheSecondHalfOfDisjointWindows) {
  WindowSpec s = spec(WindowMethod::LlamaCpp, 8, 1);
  s.bos_overwrite = true;
  auto w = plan_windows(17, s);  // the leftover token is dropped
  ASSERT_EQ(w.size(), 2u);
  EXPECT_TRUE(w[1].bos_overwrite);
  EXPECT_EQ(targets(w), concat({range(5, 8), range(13, 16)}));
  EXPECT_EQ(targets(plan_windows(16, s)), targets(w));
  EXPECT_THROW(plan_windows(7, s), Error);
}

TEST(WindowPlan, ModelOptKldComparesEveryPositionOfDisjointWindows) {
  auto w = plan_windows(17, spec(WindowMethod::ModelOptKld, 8, 1));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[2].begin, 16);
  EXPECT_EQ(w[2].rows(), 1);
  EXPECT_EQ(w[0].rows(), 8);
}

TEST(WindowPlan, MaxWindowsAndBadSpecs) {
  WindowSpec s = spec(WindowMethod::Hf, 8, 4);
  s.max_windows = 2;
  EXPECT_EQ(plan_windows(100, s).size(), 2u);
  EXPECT_THROW(plan_windows(0, s), Error);
  EXPECT_THROW(plan_windows(100, spec(WindowMethod::Hf, 8, 9)), Error);
  EXPECT_THROW(parse_window_method("strided"), Error);
  EXPECT_EQ(parse_window_method("llamacpp"), WindowMethod::LlamaCpp);
}
