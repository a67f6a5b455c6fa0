#pragma once

// The data and window flags ppl and kld share, turned into the metric option keys.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace evalq::cli {

struct LikelihoodFlags {
  std::string seq, method, data = "wikitext2", data_dir, bos = "auto", json_out;
  int64_t chunk = 512, max_tokens = 0, max_windows = 0;
};

std::shared_ptr<LikelihoodFlags> add_likelihood_flags(CLI::App& sub, const std::string& default_method);

// Option keys for the metric (seq omitted when not given, so the metric picks its default).
nlohmann::json likelihood_options(const LikelihoodFlags& flags);

// Prints the table and writes --json when asked.
void emit_result(const std::string& table, const nlohmann::json& result, const LikelihoodFlags& flags);

}  // namespace evalq::cli
