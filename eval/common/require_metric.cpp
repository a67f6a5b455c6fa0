#include "common/require_metric.h"

#include <evalq/error.h>

#include <algorithm>

#include "metric.h"

namespace evalq {

void require_metric(const std::string& name) {
  const auto names = MetricRegistry::instance().names();
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  throw Error("metric '" + name + "' is not available in this build (known: " + known + ")");
}

}  // namespace evalq
