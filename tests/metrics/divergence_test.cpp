// A 3-token vocabulary with a KL divergence known in closed form.
#include <gtest/gtest.h>

#include <cmath>

#include "common/row_stats.h"
#include "kld/divergence.h"

using namespace evalq;

namespace {

const float kBase[3] = {static_cast<float>(std::log(0.5)), static_cast<float>(std::log(0.25)),
                        static_cast<float>(std::log(0.25))};
const float kUniform[3] = {0.f, 0.f, 0.f};

}  // namespace

TEST(Divergence, ThreeTokenToyMatchesClosedForm) {
  const BaseDistribution base = base_from_logits(kBase, 3, 1);
  const RowStats q = row_stats(kUniform, 3);
  const double expected = 0.5 * std::log(0.5 * 3) + 2 * 0.25 * std::log(0.25 * 3);
  EXPECT_NEAR(kl_divergence(base, kUniform, q.log_sum_exp, 3), expected, 1e-7);
  EXPECT_NEAR(base.target_log_prob, std::log(0.25), 1e-7);
  EXPECT_EQ(base.argmax, 0);
  const double abs_expected = 0.5 * std::abs(std::log(1.5)) + 2 * 0.25 * std::abs(std::log(0.75));
  EXPECT_NEAR(modelopt_abs_divergence(base, kUniform, q.log_sum_exp, 3), abs_expected, 1e-7);
}

TEST(Divergence, IdenticalLogitsGiveExactlyZero) {
  const BaseDistribution base = base_from_logits(kBase, 3, 0);
  const RowStats q = row_stats(kBase, 3);
  EXPECT_EQ(kl_divergence(base, kBase, q.log_sum_exp, 3), 0.0);
}

TEST(Divergence, TopOneWithTailBucket) {
  BaseDistribution base;
  base.ids = {0};
  base.values = {static_cast<float>(std::log(0.5))};
  base.tail_log_mass = std::log(0.5);
  const RowStats q = row_stats(kUniform, 3);
  const double expected = 0.5 * std::log(0.5 * 3) + 0.5 * std::log(0.5 / (2.0 / 3));
  EXPECT_NEAR(kl_divergence(base, kUniform, q.log_sum_exp, 3), expected, 1e-7);
}
