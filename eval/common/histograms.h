#pragma once

// Histograms on fixed bins (log-spaced for KLD, linear for Δp). The bins never depend on the data,
// so histograms of shards add bin by bin and reports of different runs line up.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace evalq {

struct LogHistogram {
  static constexpr double kLo = 1e-6;  // below: identical-looking rows (KLD 0 included)
  static constexpr double kHi = 1e2;   // above: nothing a softmax over a real vocabulary reaches in practice
  static constexpr int kBinsPerDecade = 8;
  static constexpr int kBins = 8 * 8;  // 8 decades

  std::vector<int64_t> counts = std::vector<int64_t>(kBins, 0);
  int64_t below = 0;  // values < kLo
  int64_t above = 0;  // values >= kHi

  void add(double value);
  // Lower edge of bin i (i == kBins gives kHi).
  static double edge(int i);
};

// {"scale":"log10","lo","hi","bins_per_decade","counts":[...],"below_lo","above_hi"}
nlohmann::json log_histogram_json(std::span<const double> values);

// `bins` equal bins over [lo, hi]; hi itself falls in the last bin, values outside are counted
// below/above: {"scale":"linear","lo","hi","counts":[...],"below_lo","above_hi"}.
nlohmann::json linear_histogram_json(std::span<const double> values, double lo, double hi, int bins);

}  // namespace evalq
