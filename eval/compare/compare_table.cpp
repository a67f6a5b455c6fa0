#include "compare/compare_table.h"

#include <evalq/error.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/require_metric.h"
#include "gate/mmlu_check.h"

namespace evalq {

namespace {

constexpr double kZ95 = 1.959963984540054;

std::string number(double v, const char* format = "%.6g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string interval(double lo, double hi) { return "[" + number(lo) + ", " + number(hi) + "]"; }


nlohmann::json run_metric(const std::string& metric, std::vector<ModelSpec> models, const nlohmann::json& options) {
  MetricRequest request;
  request.models = std::move(models);
  request.options = options;
  return MetricRegistry::instance().create(metric)->run(request);
}

// Display width in characters (UTF-8 continuation bytes take no column).
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

}  // namespace

nlohmann::json run_compare(const ModelSpec& base, const std::vector<CompareCandidate>& candidates,
                           const std::vector<std::string>& metrics, const nlohmann::json& likelihood,
                           const nlohmann::json& mmlu_options) {
  if (candidates.empty()) throw Error("compare needs at least one candidate (a model path or --sim SPEC)");
  if (metrics.empty()) throw Error("--metrics is empty");
  for (const auto& m : metrics) {
    require_metric(m);
    if (m != "ppl" && m != "kld" && m != "mmlu") throw Error("compare does not tabulate metric '" + m + "' (known: ppl, kld, mmlu)");
  }
  const bool ppl = std::find(metrics.begin(), metrics.end(), "ppl") != metrics.end();
  const bool kld = std::find(metrics.begin(), metrics.end(), "kld") != metrics.end();
  const bool mmlu = std::find(metrics.begin(), metrics.end(), "mmlu") != metrics.end();
  nlohmann::json models = nlohmann::json::array();
  auto entry = [](const std::string& label, const ModelSpec& spec) {
    return nlohmann::json{{"label", label}, {"path", spec.path},
                          {"sim", spec.engine.sim.empty() ? nlohmann::json() : nlohmann::json(spec.engine.sim)},
                          {"ppl", nullptr}, {"kld", nullptr}, {"mmlu", nullptr}};
  };
  models.push_back(entry(base.path, base));
  if (ppl) models[0]["ppl"] = run_metric("ppl", {base}, likelihood);
  for (const auto& c : candidates) {
    nlohmann::json e = entry(c.label, c.spec);
    if (ppl) e["ppl"] = run_metric("ppl", {c.spec}, likelihood);
    if (kld) e["kld"] = run_metric("kld", {base, c.spec}, likelihood);
    if (mmlu) e["mmlu"] = run_metric("mmlu", {base, c.spec}, mmlu_options);
    models.push_back(e);
  }
  nlohmann::json result = {{"tool", "evalq compare"}, {"base", base.path}, {"metrics", metrics}, {"models", models}};
  const CompareTable t = compare_table(result);
  result["table"] = {{"header", t.header}, {"rows", t.rows}};
  return result;
}

CompareTable compare_table(const nlohmann::json& r) {
  CompareTable t;
  const auto& models = r["models"];
  const bool ppl = !models[0]["ppl"].is_null();
  bool kld = false, mmlu = false;
  for (const auto& m : models) {
    kld |= !m["kld"].is_null();
    mmlu |= !m["mmlu"].is_null();
  }
  t.header = {"model"};
  if (ppl) t.header.insert(t.header.end(), {"PPL", "PPL 95% CI"});
  t.header.insert(t.header.end(), {"PPL ratio", "ratio 95% CI"});
  if (kld) t.header.insert(t.header.end(), {"KLD mean", "KLD mean 95% CI", "KLD p99", "top-1 %"});
  if (mmlu) t.header.insert(t.header.end(), {"MMLU %", "MMLU Δ points", "Δ 95% CI"});
  const double base_ppl = ppl ? models[0]["ppl"]["ppl"].get<double>() : 0.0;
  for (size_t i = 0; i < models.size(); ++i) {
    const auto& m = models[i];
    std::vector<std::string> row = {i == 0 ? m["label"].get<std::string>() + " (base)" : m["label"].get<std::string>()};
    if (ppl) {
      const auto& p = m["ppl"];
      row.push_back(number(p["ppl"]));
      row.push_back(p["ppl_ci95"].is_null() ? "–" : interval(p["ppl_ci95"][0], p["ppl_ci95"][1]));
    }
    if (i == 0) {
      row.insert(row.end(), {"1", "–"});
      if (kld) row.insert(row.end(), {"–", "–", "–", "–"});
      // Every candidate's run scores the base on the same questions; the first one reports it.
      if (mmlu) row.insert(row.end(), {number(100 * mmlu_comparison(models[1]["mmlu"]).base_accuracy, "%.2f"), "–", "–"});
    } else {
      // The paired ratio from the kld run (identical windows, jackknife CI); without it the ratio of
      // the two separate perplexities, which has no paired interval.
      const auto& k = m["kld"];
      if (!k.is_null()) {
        const double ln = k["ln_ppl_ratio"], se = k["ln_ppl_ratio_stderr_jackknife"];
        row.push_back(number(std::exp(ln)));
        row.push_back(k["windows"].get<int64_t>() < 2 ? "–" : interval(std::exp(ln - kZ95 * se), std::exp(ln + kZ95 * se)));
      } else {
        row.push_back(number(m["ppl"]["ppl"].get<double>() / base_ppl));
        row.push_back("–");
      }
      if (kld) {
        const double mean = k["kld"]["mean"], se = k["kld"]["stderr_jackknife"];
        row.push_back(number(mean));
        row.push_back(k["windows"].get<int64_t>() < 2 ? "–" : interval(mean - kZ95 * se, mean + kZ95 * se));
        row.push_back(number(k["kld"]["p99"]));
        row.push_back(number(100 * k["top1_agreement"].get<double>(), "%.2f"));
      }
      if (mmlu) {
        const MmluComparison c = mmlu_comparison(m["mmlu"]);
        row.push_back(number(100 * c.quant_accuracy, "%.2f"));
        row.push_back(number(-c.drop_points, "%.2f"));
        row.push_back("[" + number(-c.drop_ci95_points.hi, "%.2f") + ", " + number(-c.drop_ci95_points.lo, "%.2f") + "]");
      }
    }
    t.rows.push_back(row);
  }
  return t;
}

std::string render_aligned(const CompareTable& t) {
  std::vector<size_t> w(t.header.size(), 0);
  for (size_t c = 0; c < t.header.size(); ++c) w[c] = width(t.header[c]);
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(w[c] - width(cells[c]), ' ');
      // The model column reads left-aligned, numbers right-aligned.
      s += c == 0 ? cells[c] + pad : pad + cells[c];
      s += c + 1 < cells.size() ? "  " : "\n";
    }
    return s;
  };
  std::string out = line(t.header);
  for (const auto& row : t.rows) out += line(row);
  return out;
}

std::string render_markdown(const CompareTable& t) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (const auto& c : cells) s += " " + c + " |";
    return s + "\n";
  };
  std::string out = line(t.header) + "|";
  for (size_t c = 0; c < t.header.size(); ++c) out += c == 0 ? "---|" : "---:|";
  out += "\n";
  for (const auto& row : t.rows) out += line(row);
  return out;
}

std::string render_csv(const CompareTable& t) {
  // Machine-readable: an interval becomes two columns, a missing value an empty cell.
  CompareTable flat;
  std::vector<bool> is_ci;
  for (const auto& h : t.header) {
    const bool ci = h.size() > 6 && h.compare(h.size() - 6, 6, "95% CI") == 0;
    is_ci.push_back(ci);
    if (ci) {
      flat.header.push_back(h + " lo");
      flat.header.push_back(h + " hi");
    } else {
      flat.header.push_back(h);
    }
  }
  for (const auto& row : t.rows) {
    std::vector<std::string> out;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string v = row[c] == "–" ? "" : row[c];
      if (!is_ci[c]) {
        out.push_back(v);
      } else if (v.empty()) {
        out.insert(out.end(), {"", ""});
      } else {
        const size_t comma = v.find(", ");
        out.push_back(v.substr(1, comma - 1));
        out.push_back(v.substr(comma + 2, v.size() - comma - 3));
      }
    }
    flat.rows.push_back(out);
  }
  auto cell = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) s += (c ? "," : "") + cell(cells[c]);
    return s + "\n";
  };
  std::string out = line(flat.header);
  for (const auto& row : flat.rows) out += line(row);
  return out;
}

}  // namespace evalq
