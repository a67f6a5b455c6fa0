#pragma once

// Scale-out: a run split into N shards, each scoring a contiguous slice of the work items
// (windows, questions) and writing a partial document of sufficient statistics; merging the
// parts in shard order and finalizing gives exactly the unsharded result, because every metric
// computes its unsharded result the same way, from the one part that covers everything.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace evalq {

// Shard K of N, K 1-based (1..N) as written on the command line; the whole run is 1/1.
struct Shard {
  int64_t k = 1, n = 1;
  bool whole() const { return n == 1; }
  std::string text() const { return std::to_string(k) + "/" + std::to_string(n); }
};

// Parses "K/N" (1 <= K <= N); throws evalq::Error saying what was expected.
Shard parse_shard(const std::string& text);

// The contiguous slice [begin, end) of `total` items that shard `s` scores: item i goes to shard
// floor(i * N / total) + 1, so slices keep the items in order, differ in size by at most one and
// concatenate back to 0..total in shard order. Some slices are empty when total < N.
struct Slice {
  int64_t begin = 0, end = 0;
};
Slice shard_slice(int64_t total, const Shard& s);

// The partial document a sharded run writes:
// {"evalq_partial": 1, "metric": NAME, "shard": {"k": K, "n": N}, "run": RUN, "state": STATE}.
// RUN identifies the run (options, models, data and plan fingerprints, and the fields of the
// result that do not depend on the scored items); parts merge only when their RUN objects are equal.
nlohmann::json make_partial(const std::string& metric, const Shard& s, nlohmann::json run, nlohmann::json state);

// The metric options as part of a run's identity, without `local_keys` (where this machine keeps
// its data, dump folders): shards may run on machines that mount data in different places, the
// data fingerprints cover what was read.
nlohmann::json identity_options(nlohmann::json options, std::initializer_list<const char*> local_keys);

// Checks that `parts` are partial documents of one run covering shards 1..N exactly once, and
// returns them sorted by shard. `names` label the parts in errors (file names), same order.
std::vector<nlohmann::json> order_parts(std::vector<nlohmann::json> parts, const std::vector<std::string>& names);

}  // namespace evalq
