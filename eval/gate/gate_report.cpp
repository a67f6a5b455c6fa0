#include "gate/gate_report.h"

#include <evalq/error.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "common/statistics.h"
#include "gate/check_outcome.h"
#include "gate/svg_plot.h"

namespace evalq {

namespace {

const char* rule_meaning(const std::string& rule) {
  if (rule == "point") return "a check fails when its point estimate crosses the threshold";
  if (rule == "significant") return "a check fails only when its whole 95% CI lies beyond the threshold (a significant degradation)";
  return "a check fails when the worst side of its 95% CI crosses the threshold";
}

struct Row {
  std::string id, verdict, quantity, rule, estimate, ci, threshold, decided_on, ci_method;
};

Row row_of(const nlohmann::json& c) {
  Row r;
  r.id = c["id"];
  r.verdict = c["verdict"] == "pass" ? "PASS" : "FAIL";
  r.quantity = c["quantity"];
  r.rule = c["rule"];
  r.estimate = gate_number(c["estimate"]);
  r.ci = c["ci95"].is_null() ? "–" : interval_text(gate_number(c["ci95"][0]), gate_number(c["ci95"][1]));
  r.threshold = std::string(c["bound"] == "max" ? "≤ " : "≥ ") + gate_number(c["threshold"]);
  r.decided_on = c["basis"].get<std::string>() + " " + gate_number(c["decided_on"]);
  r.ci_method = c["ci_method"].is_null() ? "no interval (point estimate)" : c["ci_method"].get<std::string>();
  return r;
}

std::string sim_note(const nlohmann::json& r) {
  return r["quant_sim"].is_null() ? "" : " (simulated: --sim " + r["quant_sim"].get<std::string>() + ")";
}

std::string data_line(const nlohmann::json& k) {
  if (k.is_null()) return "";
  return k["data"].get<std::string>() + ", method " + k["method"].get<std::string>() + ", seq " +
         std::to_string(k["seq"].get<int64_t>()) + ", chunk " + std::to_string(k["chunk"].get<int64_t>()) + ", " +
         std::to_string(k["windows"].get<int64_t>()) + " windows, " +
         std::to_string(k["positions_compared"].get<int64_t>()) + " positions compared";
}

double max_ratio_threshold(const nlohmann::json& result) {
  for (const auto& c : result["checks"]) {
    if (c["id"] == "ppl.max_ratio") return c["threshold"];
  }
  return 0;
}

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string gate_report_markdown(const nlohmann::json& result) {
  const bool pass = result["verdict"] == "pass";
  std::string md = std::string("## evalq gate: ") + (pass ? "✅ PASS" : "❌ FAIL") + "\n\n";
  md += "- Base: `" + result["base"].get<std::string>() + "`\n";
  md += "- Candidate: `" + result["quant"].get<std::string>() + "`" + sim_note(result) + "\n";
  if (!result["kld"].is_null()) md += "- Data: " + data_line(result["kld"]) + "\n";
  md += "- Rule: **" + result["decide"].get<std::string>() + "** (default for the config): " +
        rule_meaning(result["decide"]) + "\n\n";
  md += "| check | verdict | quantity | rule | estimate | 95% CI | threshold | decided on |\n";
  md += "|---|---|---|---|---|---|---|---|\n";
  std::string notes;
  for (const auto& c : result["checks"]) {
    const Row r = row_of(c);
    md += "| `" + r.id + "` | " + (r.verdict == "PASS" ? "✅ PASS" : "❌ FAIL") + " | " + r.quantity + " | " + r.rule +
          " | " + r.estimate + " | " + r.ci + " | " + r.threshold + " | " + r.decided_on + " |\n";
    notes += "- `" + r.id + "`: " + r.ci_method + "\n";
  }
  md += "\nHow each interval was obtained:\n\n" + notes;
  md += "\nPercentile checks (`kld.max_p99`) compare the point estimate under every rule: no interval is computed for an order statistic.\n";
  return md;
}

std::string kld_histogram_svg(const nlohmann::json& k) {
  if (k.is_null() || !k.contains("kld") || !k["kld"].contains("histogram")) return "";
  const nlohmann::json& h = k["kld"]["histogram"];
  const double lo = h["lo"], per_decade = h["bins_per_decade"];
  const std::vector<int64_t> counts = h["counts"];
  const int64_t below = h["below_lo"], above = h["above_hi"];
  int64_t total = below + above;
  int first = -1, last = -1;
  int64_t peak = 1;
  for (size_t i = 0; i < counts.size(); ++i) {
    total += counts[i];
    peak = std::max(peak, counts[i]);
    if (counts[i] > 0) {
      if (first < 0) first = static_cast<int>(i);
      last = static_cast<int>(i);
    }
  }
  if (total == 0) return "";
  auto edge = [&](int i) { return lo * std::pow(10.0, i / per_decade); };
  // Show whole decades around the occupied bins.
  const int d_lo = first < 0 ? 0 : static_cast<int>(std::floor(first / per_decade));
  const int d_hi = last < 0 ? 1 : static_cast<int>(std::ceil((last + 1) / per_decade));
  const double x_lo = edge(static_cast<int>(d_lo * per_decade)), x_hi = edge(static_cast<int>(std::max(d_hi, d_lo + 1) * per_decade));
  SvgPlot plot("KLD per position: histogram (log bins) and CDF", x_lo, x_hi, true, 0, static_cast<double>(peak));
  plot.x_label("KLD (nats), log scale; " + std::to_string(below) + " positions below " + tick_label(lo) + ", " +
               std::to_string(above) + " above " + tick_label(h["hi"].get<double>()));
  plot.y_label("positions per bin");
  std::vector<std::pair<double, std::string>> xt, yt;
  for (int d = d_lo; d <= std::max(d_hi, d_lo + 1); ++d) xt.emplace_back(edge(static_cast<int>(d * per_decade)), tick_label(edge(static_cast<int>(d * per_decade))));
  plot.x_ticks(xt);
  for (int i = 0; i <= 4; ++i) yt.emplace_back(peak * i / 4.0, std::to_string(static_cast<int64_t>(std::llround(peak * i / 4.0))));
  plot.y_ticks(yt);
  plot.right_axis(0, 1, "cumulative fraction", {{0, "0"}, {0.5, "0.5"}, {1, "1"}});
  std::vector<std::pair<double, double>> cdf;
  int64_t cum = below;
  cdf.emplace_back(x_lo, static_cast<double>(cum) / total);
  for (size_t i = 0; i < counts.size(); ++i) {
    const double e0 = edge(static_cast<int>(i)), e1 = edge(static_cast<int>(i) + 1);
    if (e1 <= x_lo || e0 >= x_hi) {
      cum += counts[i];
      continue;
    }
    if (counts[i] > 0) plot.bar(e0, e1, static_cast<double>(counts[i]), "#7aa6d6");
    cum += counts[i];
    cdf.emplace_back(e1, static_cast<double>(cum) / total);
  }
  plot.polyline(cdf, "#c0392b", true);
  const nlohmann::json& s = k["kld"];
  for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
           {"median", "median"}, {"p90", "p90"}, {"p99", "p99"}, {"p99_9", "p99.9"}}) {
    const double v = s[key];
    if (v >= x_lo && v <= x_hi) plot.vertical_mark(v, label + " " + gate_number(v), "#333333");
  }
  return plot.render();
}

std::string delta_p_svg(const nlohmann::json& k) {
  if (k.is_null() || !k.contains("delta_p") || !k["delta_p"].contains("histogram")) return "";
  const nlohmann::json& d = k["delta_p"];
  const nlohmann::json& h = d["histogram"];
  const double lo = h["lo"], hi = h["hi"];
  const std::vector<int64_t> counts = h["counts"];
  const double width = (hi - lo) / static_cast<double>(counts.size());
  int first = -1, last = -1;
  int64_t peak = 1;
  for (size_t i = 0; i < counts.size(); ++i) {
    peak = std::max(peak, counts[i]);
    if (counts[i] > 0) {
      if (first < 0) first = static_cast<int>(i);
      last = static_cast<int>(i);
    }
  }
  if (first < 0) return "";
  // Symmetric around 0 over the occupied bins, at least ±0.05.
  const double reach = std::max({0.05, std::abs(lo + first * width), std::abs(lo + (last + 1) * width)});
  SvgPlot plot("Δp = p(quant) − p(base) of the correct token", -reach, reach, false, 0, static_cast<double>(peak));
  plot.x_label("Δp (bins of " + gate_number(width) + ")");
  plot.y_label("positions per bin");
  std::vector<std::pair<double, std::string>> xt, yt;
  for (int i = -2; i <= 2; ++i) xt.emplace_back(reach * i / 2, gate_number(reach * i / 2));
  for (int i = 0; i <= 4; ++i) yt.emplace_back(peak * i / 4.0, std::to_string(static_cast<int64_t>(std::llround(peak * i / 4.0))));
  plot.x_ticks(xt);
  plot.y_ticks(yt);
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > 0) plot.bar(lo + i * width, lo + (i + 1) * width, static_cast<double>(counts[i]), "#7aa6d6");
  }
  for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
           {"p1", "p1"}, {"median", "median"}, {"p99", "p99"}}) {
    plot.vertical_mark(d[key], label + " " + gate_number(d[key]), "#333333");
  }
  return plot.render();
}

std::string window_ratio_svg(const nlohmann::json& k, double max_ratio) {
  if (k.is_null() || !k.contains("window_results") || k["window_results"].empty()) return "";
  std::vector<std::pair<double, double>> pts;
  double y_lo = 1, y_hi = 1, x_hi = 1;
  for (const auto& w : k["window_results"]) {
    const double targets = w["targets"];
    if (targets <= 0) continue;
    const double ratio = std::exp((w["nll_quant_sum"].get<double>() - w["nll_base_sum"].get<double>()) / targets);
    const double x = w["end"];
    pts.emplace_back(x, ratio);
    y_lo = std::min(y_lo, ratio);
    y_hi = std::max(y_hi, ratio);
    x_hi = std::max(x_hi, x);
  }
  if (pts.empty()) return "";
  const double overall = k["ppl_ratio"];
  if (max_ratio > 0) y_hi = std::max(y_hi, max_ratio);
  const double pad = (y_hi - y_lo) * 0.1 + 1e-3;
  y_lo -= pad;
  y_hi += pad;
  SvgPlot plot("PPL(quant)/PPL(base) per window along the corpus", 0, x_hi, false, y_lo, y_hi);
  plot.x_label("window end (token position)");
  plot.y_label("PPL ratio");
  std::vector<std::pair<double, std::string>> xt, yt;
  for (int i = 0; i <= 4; ++i) xt.emplace_back(x_hi * i / 4.0, std::to_string(static_cast<int64_t>(std::llround(x_hi * i / 4.0))));
  for (int i = 0; i <= 4; ++i) yt.emplace_back(y_lo + (y_hi - y_lo) * i / 4.0, gate_number(y_lo + (y_hi - y_lo) * i / 4.0));
  plot.x_ticks(xt);
  plot.y_ticks(yt);
  plot.horizontal_mark(1.0, "1 (no change)", "#888888");
  plot.horizontal_mark(overall, "all windows " + gate_number(overall), "#2c7a2c");
  if (max_ratio > 0) plot.horizontal_mark(max_ratio, "max_ratio " + gate_number(max_ratio), "#c0392b");
  if (pts.size() > 1) plot.polyline(pts, "#7aa6d6");
  plot.points(pts, "#1f4e79");
  return plot.render();
}

std::string mmlu_subjects_svg(const nlohmann::json& r) {
  if (!r.contains("base") || !r.contains("quant") || !r["base"].contains("subjects")) return "";
  struct Bar {
    std::string name;
    double delta, lo, hi;
  };
  std::vector<Bar> bars;
  double reach = 1;
  for (const auto& [name, b] : r["base"]["subjects"].items()) {
    if (!r["quant"]["subjects"].contains(name)) continue;
    const auto& q = r["quant"]["subjects"][name];
    const double delta = 100 * (q["accuracy"].get<double>() - b["accuracy"].get<double>());
    // Unpaired: the per-subject paired statistics are not in the document, so this interval is
    // wider than the paired one the check decides on.
    const double se = 100 * std::hypot(b["stderr"].get<double>(), q["stderr"].get<double>());
    const Interval ci = normal_ci95({delta, se});
    bars.push_back({name, delta, ci.lo, ci.hi});
    reach = std::max({reach, std::abs(bars.back().lo), std::abs(bars.back().hi)});
  }
  if (bars.empty()) return "";
  // A round axis end (1, 2 or 5 times a power of ten) gives readable ticks.
  const double decade = std::pow(10.0, std::floor(std::log10(reach)));
  reach = reach <= decade ? decade : reach <= 2 * decade ? 2 * decade : reach <= 5 * decade ? 5 * decade : 10 * decade;
  const double label_w = 230, plot_w = 380, row_h = 16, top = 40;
  const double width = label_w + plot_w + 30, height = top + row_h * bars.size() + 36;
  auto x = [&](double v) { return label_w + plot_w / 2 + v / reach * (plot_w / 2); };
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return std::string(buf);
  };
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
                  "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" font-family=\"sans-serif\">\n";
  const std::string title = "MMLU accuracy change per subject (quant − base, points, unpaired 95% CI)";
  s += "<title>" + xml_escape(title) + "</title>\n<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" +
       num(height) + "\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(width / 2) + "\" y=\"18\" font-size=\"13\" text-anchor=\"middle\">" + xml_escape(title) + "</text>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = top + row_h * i;
    const double x0 = std::min(x(0), x(b.delta)), x1 = std::max(x(0), x(b.delta));
    s += "<text x=\"" + num(label_w - 6) + "\" y=\"" + num(y + 11) + "\" font-size=\"10\" text-anchor=\"end\">" +
         xml_escape(b.name) + "</text>\n";
    s += "<rect x=\"" + num(x0) + "\" y=\"" + num(y + 3) + "\" width=\"" + num(x1 - x0) + "\" height=\"" + num(row_h - 6) +
         "\" fill=\"" + (b.delta < 0 ? "#d98880" : "#7aa6d6") + "\"/>\n";
    s += "<line x1=\"" + num(x(b.lo)) + "\" y1=\"" + num(y + row_h / 2) + "\" x2=\"" + num(x(b.hi)) + "\" y2=\"" +
         num(y + row_h / 2) + "\" stroke=\"black\"/>\n";
  }
  const double bottom = top + row_h * bars.size();
  s += "<line x1=\"" + num(x(0)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x(0)) + "\" y2=\"" + num(bottom) + "\" stroke=\"black\"/>\n";
  for (double v : {-reach, -reach / 2, 0.0, reach / 2, reach}) {
    s += "<text x=\"" + num(x(v)) + "\" y=\"" + num(bottom + 14) + "\" font-size=\"10\" text-anchor=\"middle\">" +
         gate_number(v) + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

std::string gate_report_html(const nlohmann::json& result) {
  const bool pass = result["verdict"] == "pass";
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>evalq gate: ";
  h += pass ? "PASS" : "FAIL";
  h += "</title>\n<style>\nbody{font-family:sans-serif;margin:2em;max-width:80em}\n"
       "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left}\n"
       ".pass{color:#1e7b34;font-weight:bold}.fail{color:#b00020;font-weight:bold}\nfigure{margin:1.5em 0}\n</style>\n"
       "</head>\n<body>\n";
  h += std::string("<h1>evalq gate: <span class=\"") + (pass ? "pass\">PASS" : "fail\">FAIL") + "</span></h1>\n<ul>\n";
  h += "<li>Base: <code>" + xml_escape(result["base"]) + "</code></li>\n";
  h += "<li>Candidate: <code>" + xml_escape(result["quant"]) + "</code>" + xml_escape(sim_note(result)) + "</li>\n";
  if (!result["kld"].is_null()) h += "<li>Data: " + xml_escape(data_line(result["kld"])) + "</li>\n";
  h += "<li>Rule: <b>" + xml_escape(result["decide"]) + "</b>: " + rule_meaning(result["decide"]) + "</li>\n</ul>\n";
  h += "<table>\n<tr><th>check</th><th>verdict</th><th>quantity</th><th>rule</th><th>estimate</th><th>95% CI</th>"
       "<th>threshold</th><th>decided on</th><th>interval</th></tr>\n";
  for (const auto& c : result["checks"]) {
    const Row r = row_of(c);
    h += "<tr><td><code>" + xml_escape(r.id) + "</code></td><td class=\"" + (r.verdict == "PASS" ? "pass" : "fail") + "\">" +
         r.verdict + "</td><td>" + xml_escape(r.quantity) + "</td><td>" + xml_escape(r.rule) + "</td><td>" + r.estimate +
         "</td><td>" + r.ci + "</td><td>" + xml_escape(r.threshold) + "</td><td>" + xml_escape(r.decided_on) + "</td><td>" +
         xml_escape(r.ci_method) + "</td></tr>\n";
  }
  h += "</table>\n<p>Percentile checks compare the point estimate under every rule: no interval is computed for an order statistic.</p>\n";
  const std::string hist = kld_histogram_svg(result["kld"]);
  const std::string windows = window_ratio_svg(result["kld"], max_ratio_threshold(result));
  const std::string dp = delta_p_svg(result["kld"]);
  if (!hist.empty()) h += "<figure>\n" + hist + "<figcaption>Distribution of the per-position KL divergence.</figcaption>\n</figure>\n";
  if (!windows.empty()) h += "<figure>\n" + windows + "<figcaption>Per-window perplexity ratio (each window's exp of its mean log-ratio).</figcaption>\n</figure>\n";
  for (const auto& m : result["mmlu"]) {
    const std::string bars = mmlu_subjects_svg(m["result"]);
    if (!bars.empty()) {
      h += "<figure>\n" + bars + "<figcaption>" + xml_escape(m["config_path"].get<std::string>()) +
           ": per-subject change; the check decides on the paired interval over all questions.</figcaption>\n</figure>\n";
    }
  }
  if (!dp.empty()) h += "<figure>\n" + dp + "<figcaption>Change of the probability of the correct token per position.</figcaption>\n</figure>\n";
  h += "</body>\n</html>\n";
  return h;
}

void write_gate_report(const nlohmann::json& result, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir.string() + ": cannot create the report folder: " + ec.message());
  auto write = [&](const std::string& name, const std::string& text) {
    if (text.empty()) return;
    std::ofstream out(dir / name);
    out << text;
    if (!out) throw Error((dir / name).string() + ": write failed");
  };
  write("report.md", gate_report_markdown(result));
  write("report.html", gate_report_html(result));
  write("kld_histogram.svg", kld_histogram_svg(result["kld"]));
  write("delta_p.svg", delta_p_svg(result["kld"]));
  for (size_t i = 0; i < result["mmlu"].size(); ++i) {
    write("mmlu_subjects_" + std::to_string(i) + ".svg", mmlu_subjects_svg(result["mmlu"][i]["result"]));
  }
  write("ppl_ratio_windows.svg", window_ratio_svg(result["kld"], max_ratio_threshold(result)));
}

}  // namespace evalq
