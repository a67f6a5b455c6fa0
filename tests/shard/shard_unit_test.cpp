#include <evalq/error.h>
#include <gtest/gtest.h>

#include "common/shard.h"

namespace evalq {
namespace {

TEST(Shard, ParsesOneBasedKOfN) {
  const Shard s = parse_shard("2/8");
  EXPECT_EQ(s.k, 2);
  EXPECT_EQ(s.n, 8);
  EXPECT_TRUE(parse_shard("1/1").whole());
}

TEST(Shard, RejectsBadText) {
  for (const char* bad : {"", "3", "0/3", "4/3", "1/0", "-1/3", "a/3", "1/3x", "1//3", " 1/3"}) {
    EXPECT_THROW(parse_shard(bad), Error) << bad;
  }
}

TEST(Shard, SlicesAreContiguousBalancedAndCoverEverything) {
  for (int64_t total : {0, 1, 2, 5, 6, 7, 100}) {
    for (int64_t n : {1, 2, 3, 7, 10}) {
      int64_t next = 0;
      for (int64_t k = 1; k <= n; ++k) {
        const Slice s = shard_slice(total, Shard{k, n});
        EXPECT_EQ(s.begin, next) << total << " " << k << "/" << n;
        EXPECT_LE(s.end - s.begin, total / n + 1);
        EXPECT_GE(s.end - s.begin, total / n);
        next = s.end;
      }
      EXPECT_EQ(next, total);
    }
  }
}

nlohmann::json part(int64_t k, int64_t n, const std::string& data = "abc") {
  return make_partial("ppl", Shard{k, n}, {{"data_sha256", data}}, {{"k", k}});
}

TEST(Shard, OrdersPartsAndRefusesIncompleteOrMixedSets) {
  const auto ordered = order_parts({part(3, 3), part(1, 3), part(2, 3)}, {"c", "a", "b"});
  for (int64_t k = 1; k <= 3; ++k) EXPECT_EQ(ordered[k - 1]["state"]["k"], k);
  EXPECT_THROW(order_parts({part(1, 3), part(3, 3)}, {"a", "c"}), Error);
  EXPECT_THROW(order_parts({part(1, 2), part(1, 2), part(2, 2)}, {"a", "b", "c"}), Error);
  EXPECT_THROW(order_parts({part(1, 2), part(2, 2, "other")}, {"a", "b"}), Error);
  EXPECT_THROW(order_parts({part(1, 2), part(2, 3)}, {"a", "b"}), Error);
  EXPECT_THROW(order_parts({nlohmann::json::object()}, {"a"}), Error);
}

}  // namespace
}  // namespace evalq
