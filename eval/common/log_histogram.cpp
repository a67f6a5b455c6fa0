#include "common/log_histogram.h"

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

}  // namespace evalq
