#pragma once

// `--shard K/N` for the metric commands: a sharded run writes its partial document (eval/common/
// shard.h) to --json instead of printing a result; `evalq merge` turns the parts into the result.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "metric.h"

namespace evalq::cli {

std::shared_ptr<std::string> add_shard_flag(CLI::App& sub);

// Runs `metric`: unsharded it prints the table and writes --json when `json_out` is set; with
// --shard it writes the partial document to `json_out` (required) and prints one line saying so.
void run_metric(const Metric& metric, const MetricRequest& request, const std::string& shard, const std::string& json_out);

}  // namespace evalq::cli
