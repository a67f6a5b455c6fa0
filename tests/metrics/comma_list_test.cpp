#include <gtest/gtest.h>

#include "common/comma_list.h"
#include "test_support.h"

using namespace evalq;
using evalq::test::error_of;

TEST(CommaList, SplitDropsEmptyItems) {
  EXPECT_EQ(split_comma_list("ppl,,kld,"), (std::vector<std::string>{"ppl", "kld"}));
  EXPECT_TRUE(split_comma_list("").empty());
}

TEST(CommaList, ParsesIntegers) {
  EXPECT_EQ(parse_integer_list("256,512,-1", "--seq"), (std::vector<int64_t>{256, 512, -1}));
}

TEST(CommaList, RefusesWhatIsNotAnInteger) {
  EXPECT_EQ(error_of([] { parse_integer_list("256,5x", "--seq"); }), "--seq: '5x' is not an integer");
  EXPECT_EQ(error_of([] { parse_integer_list("1,,2", "--tokens", "an integer token id"); }),
            "--tokens: '' is not an integer token id");
  EXPECT_EQ(error_of([] { parse_integer_list("", "--seq"); }), "--seq: no values given");
  EXPECT_EQ(error_of([] { parse_integer_list("99999999999999999999", "--seq"); }),
            "--seq: '99999999999999999999' is not an integer");
}
