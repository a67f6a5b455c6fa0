#include "common/statistics.h"

#include <evalq/error.h>

#include <cmath>

namespace evalq {

Estimate mean_and_stderr(const Moments& m) {
  Estimate e;
  if (m.n == 0) return e;
  e.value = m.sum / m.n;
  const double var = m.sum2 / m.n - e.value * e.value;
  if (m.n > 1 && var > 0) e.stderr_ = std::sqrt(var / (m.n - 1));
  return e;
}

double covariance_of_means(double sum_x, double sum_y, double sum_xy, int64_t n) {
  if (n < 2) return 0;
  const double nn = static_cast<double>(n);
  return (sum_xy / nn - (sum_x / nn) * (sum_y / nn)) / (nn - 1);
}

double pearson(const Moments& x, const Moments& y, double sum_xy) {
  const double cov = covariance_of_means(x.sum, y.sum, sum_xy, x.n);
  const double sx = mean_and_stderr(x).stderr_, sy = mean_and_stderr(y).stderr_;
  return sx > 0 && sy > 0 ? cov / (sx * sy) : 0.0;
}

double percentile_sorted(std::span<const double> sorted, double f) {
  if (sorted.empty()) throw Error("percentile of an empty series");
  const double p = f * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(p));
  if (lo + 1 >= sorted.size()) return sorted.back();
  const double frac = p - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double median_sorted(std::span<const double> sorted) {
  if (sorted.empty()) throw Error("median of an empty series");
  const size_t n = sorted.size();
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

Estimate jackknife_ratio(std::span<const double> num, std::span<const double> den) {
  if (num.size() != den.size()) throw Error("jackknife_ratio: numerator and denominator lengths differ");
  double total_num = 0, total_den = 0;
  for (size_t i = 0; i < num.size(); ++i) {
    total_num += num[i];
    total_den += den[i];
  }
  Estimate e;
  if (total_den == 0) return e;
  e.value = total_num / total_den;
  const size_t k = num.size();
  if (k < 2) return e;
  std::vector<double> pseudo;
  pseudo.reserve(k);
  double mean = 0;
  for (size_t i = 0; i < k; ++i) {
    const double d = total_den - den[i];
    if (d == 0) return e;  // one cluster holds everything: no spread to measure
    pseudo.push_back((total_num - num[i]) / d);
    mean += pseudo.back();
  }
  mean /= static_cast<double>(k);
  double ss = 0;
  for (double p : pseudo) ss += (p - mean) * (p - mean);
  e.stderr_ = std::sqrt(ss * static_cast<double>(k - 1) / static_cast<double>(k));
  return e;
}

Interval normal_ci95(const Estimate& e) {
  constexpr double z = 1.959963984540054;
  return {e.value - z * e.stderr_, e.value + z * e.stderr_};
}

std::optional<Interval> exp_ci95(const Estimate& ln, size_t clusters) {
  if (clusters < 2) return std::nullopt;
  const Interval ci = normal_ci95(ln);
  return Interval{std::exp(ci.lo), std::exp(ci.hi)};
}

}  // namespace evalq
