#include "cli/shard_flags.h"
#include "cli/json_file.h"

#include <evalq/error.h>

#include <iostream>

namespace evalq::cli {

std::shared_ptr<std::string> add_shard_flag(CLI::App& sub) {
  auto shard = std::make_shared<std::string>();
  sub.add_option("--shard", *shard,
                 "Score only shard K of N (1-based, e.g. 2/8) and write its partial result to --json; "
                 "combine the parts with `evalq merge`");
  return shard;
}

void run_metric(const Metric& metric, const MetricRequest& request, const std::string& shard, const std::string& json_out) {
  if (shard.empty()) {
    const nlohmann::json result = metric.run(request);
    std::cout << metric.render_table(result);
    if (!json_out.empty()) write_json(result, json_out);
    return;
  }
  const Shard s = parse_shard(shard);
  if (json_out.empty()) throw Error("--shard " + shard + " needs --json FILE for the partial result");
  write_json(metric.run_partial(request, s), json_out);
  std::cout << metric.name() << " shard " << s.text() << ": partial result written to " << json_out
            << " (combine the parts with `evalq merge`)\n";
}

}  // namespace evalq::cli
