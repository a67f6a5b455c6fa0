#include <evalq/error.h>
#include <gtest/gtest.h>

#include <cmath>

#include "common/statistics.h"

using namespace evalq;

TEST(Statistics, MeanAndNaiveStderr) {
  Moments m;
  for (double x : {1.0, 2.0, 3.0, 4.0}) m.add(x);
  const Estimate e = mean_and_stderr(m);
  EXPECT_DOUBLE_EQ(e.value, 2.5);
  EXPECT_NEAR(e.stderr_, std::sqrt(1.25 / 3), 1e-15);  // population variance 1.25, n - 1 = 3
  EXPECT_EQ(mean_and_stderr(Moments{}).stderr_, 0);
}

TEST(Statistics, PercentilesInterpolateLinearly) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.9), 4.6);  // position 3.6
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 1.0), 5);
  EXPECT_DOUBLE_EQ(median_sorted(v), 3);
  EXPECT_DOUBLE_EQ(median_sorted(std::vector<double>{1, 2, 3, 4}), 2.5);
  EXPECT_THROW(percentile_sorted(std::vector<double>{}, 0.5), Error);
}

TEST(Statistics, JackknifeOfEqualClustersIsTheStderrOfTheMean) {
  const std::vector<double> num = {1, 2, 3}, den = {1, 1, 1};
  const Estimate e = jackknife_ratio(num, den);
  EXPECT_DOUBLE_EQ(e.value, 2);
  EXPECT_NEAR(e.stderr_, 1 / std::sqrt(3.0), 1e-15);  // sd 1 over sqrt(3)
  // Unequal clusters: pseudo-values (5/3, 4/4) and their spread, by hand.
  const std::vector<double> n2 = {4, 1}, d2 = {1, 3};
  const Estimate e2 = jackknife_ratio(n2, d2);
  EXPECT_DOUBLE_EQ(e2.value, 5.0 / 4);
  const double a = 1.0 / 3, b = 4.0, mean = (a + b) / 2;
  EXPECT_NEAR(e2.stderr_, std::sqrt(((a - mean) * (a - mean) + (b - mean) * (b - mean)) / 2), 1e-14);
}

TEST(Statistics, CovarianceAndCorrelation) {
  Moments x, y;
  double sxy = 0;
  for (double v : {1.0, 2.0, 3.0, 4.0}) {
    x.add(v);
    y.add(2 * v + 1);
    sxy += v * (2 * v + 1);
  }
  EXPECT_NEAR(pearson(x, y, sxy), 1.0, 1e-12);
  EXPECT_NEAR(covariance_of_means(x.sum, y.sum, sxy, 4), 2 * 1.25 / 3, 1e-14);
}
