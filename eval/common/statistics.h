#pragma once

// Statistics shared by the metric modules: llama.cpp-style means with standard errors, order
// statistics, and delete-one-cluster jackknife errors for estimates that are ratios of sums over
// correlated items (tokens within a window, questions within a subject).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace evalq {

struct Estimate {
  double value = 0;
  double stderr_ = 0;  // standard error of `value`
};

// Running sums of x and x^2 (and optionally of x*y with a paired series), in double.
struct Moments {
  double sum = 0, sum2 = 0;
  int64_t n = 0;
  void add(double x) {
    sum += x;
    sum2 += x * x;
    ++n;
  }
  double mean() const { return n ? sum / n : 0.0; }
};

// Mean and its naive standard error sqrt((E[x^2] - E[x]^2) / (n - 1)), treating items as
// independent (llama.cpp's mean_and_uncertainty; 0 when n < 2 or the variance rounds below 0).
Estimate mean_and_stderr(const Moments& m);

// Covariance of the means of two paired series: (E[xy] - E[x]E[y]) / (n - 1).
double covariance_of_means(double sum_x, double sum_y, double sum_xy, int64_t n);

// Pearson correlation of two paired series from their moments and cross sum.
double pearson(const Moments& x, const Moments& y, double sum_xy);

// Percentile f in [0, 1] of sorted values: linear interpolation at position f * (n - 1).
double percentile_sorted(std::span<const double> sorted, double f);
// Middle value, or the mean of the two middle values.
double median_sorted(std::span<const double> sorted);

// Jackknife over clusters of the ratio estimator R = sum(num) / sum(den), cluster i holding
// num[i], den[i]: each pseudo-estimate leaves one cluster out; the error accounts for any
// correlation inside a cluster. stderr_ is 0 with fewer than 2 clusters.
Estimate jackknife_ratio(std::span<const double> num, std::span<const double> den);

// Two-sided 95 % normal interval of an estimate.
struct Interval {
  double lo = 0, hi = 0;
};
Interval normal_ci95(const Estimate& e);

// The interval of exp(x) for an estimate `ln` of x (a log perplexity or a log PPL ratio) from
// `clusters` windows: none with fewer than 2, which give no spread to measure (rather than a
// zero-width interval).
std::optional<Interval> exp_ci95(const Estimate& ln, size_t clusters);

}  // namespace evalq
