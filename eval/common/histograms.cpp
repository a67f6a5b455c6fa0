#include "common/histograms.h"

#include <algorithm>
#include <cmath>

namespace evalq {

double LogHistogram::edge(int i) { return kLo * std::pow(10.0, static_cast<double>(i) / kBinsPerDecade); }

void LogHistogram::add(double value) {
  if (!(value >= kLo)) {  // NaN never occurs for KLD; counting it low keeps the total exact
    ++below;
    return;
  }
  if (value >= kHi) {
    ++above;
    return;
  }
  int bin = static_cast<int>(std::floor(std::log10(value / kLo) * kBinsPerDecade));
  // log10 rounding can put a value sitting on an edge one bin off; the edges decide.
  bin = std::clamp(bin, 0, kBins - 1);
  if (value < edge(bin)) --bin;
  if (bin + 1 < kBins && value >= edge(bin + 1)) ++bin;
  ++counts[std::clamp(bin, 0, kBins - 1)];
}

nlohmann::json log_histogram_json(std::span<const double> values) {
  LogHistogram h;
  for (double v : values) h.add(v);
  return {{"scale", "log10"},         {"lo", LogHistogram::kLo},       {"hi", LogHistogram::kHi},
          {"bins_per_decade", LogHistogram::kBinsPerDecade}, {"counts", h.counts},
          {"below_lo", h.below},      {"above_hi", h.above}};
}

nlohmann::json linear_histogram_json(std::span<const double> values, double lo, double hi, int bins) {
  std::vector<int64_t> counts(bins, 0);
  int64_t below = 0, above = 0;
  const double width = (hi - lo) / bins;
  for (double v : values) {
    if (!(v >= lo)) {
      ++below;
    } else if (v > hi) {
      ++above;
    } else {
      ++counts[std::min(bins - 1, static_cast<int>((v - lo) / width))];
    }
  }
  return {{"scale", "linear"}, {"lo", lo}, {"hi", hi}, {"counts", counts}, {"below_lo", below}, {"above_hi", above}};
}

}  // namespace evalq
