#pragma once

// `evalq compare`: one base against several candidates (files or simulations of the base), the
// metrics run through the MetricRegistry, and the comparison as a table with one row per model,
// rendered aligned, as Markdown or as CSV from the result document.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "metric.h"

namespace evalq {

struct CompareCandidate {
  std::string label;  // the path, or "BASE --sim SPEC" for a simulation
  ModelSpec spec;
};

// `metrics`: any of "ppl", "kld", "mmlu" (a metric missing from the build is an evalq::Error before
// any model runs). `likelihood` holds the data/window keys of ppl and kld, `mmlu` the mmlu
// metric's options (data, shots, subjects, limit, data_dir).
nlohmann::json run_compare(const ModelSpec& base, const std::vector<CompareCandidate>& candidates,
                           const std::vector<std::string>& metrics, const nlohmann::json& likelihood,
                           const nlohmann::json& mmlu);

struct CompareTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// The table of a run_compare() document (the document also carries it under "table").
CompareTable compare_table(const nlohmann::json& result);

std::string render_aligned(const CompareTable& table);
std::string render_markdown(const CompareTable& table);
std::string render_csv(const CompareTable& table);

}  // namespace evalq
