#pragma once

#include <string>

namespace evalq {

// Throws evalq::Error "metric 'NAME' is not available in this build (known: ...)" unless a metric
// of that name is registered: commands that combine metrics refuse before any model runs.
void require_metric(const std::string& name);

}  // namespace evalq
