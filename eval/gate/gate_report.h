#pragma once

// The gate's reports, rendered from its result document only (so every number in them is the
// JSON's): report.md for a pull-request comment, a self-contained report.html with inline SVG
// charts, and the charts as separate .svg files.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace evalq {

std::string gate_report_markdown(const nlohmann::json& result);
std::string gate_report_html(const nlohmann::json& result);

// KLD histogram (log bins) with its CDF and percentile marks; "" when the kld result has no histogram.
std::string kld_histogram_svg(const nlohmann::json& kld_result);
// Δp = p_quant(target) − p_base(target) histogram with its percentiles; "" without one.
std::string delta_p_svg(const nlohmann::json& kld_result);
// PPL(quant)/PPL(base) of every window along the corpus; "" without window results.
// `max_ratio` (<= 0: none) is drawn as the threshold.
std::string window_ratio_svg(const nlohmann::json& kld_result, double max_ratio);

// Per-subject accuracy change (quant − base, points) with 95 % intervals from the two models'
// per-subject standard errors, from a two-model mmlu document; "" without subjects.
std::string mmlu_subjects_svg(const nlohmann::json& mmlu_result);

// Writes report.md, report.html and the charts (kld_histogram.svg, delta_p.svg, ppl_ratio_windows.svg, mmlu_subjects_<i>.svg per mmlu check) into
// `dir`, creating it.
void write_gate_report(const nlohmann::json& result, const std::filesystem::path& dir);

}  // namespace evalq
