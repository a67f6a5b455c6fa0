#include "compare/compare_table.h"

#include <evalq/error.h>
#include <evalq/file_bytes.h>


#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "common/require_metric.h"
#include "common/statistics.h"
#include "common/temporary_file.h"
#include "gate/check_outcome.h"
#include "gate/mmlu_check.h"
#include "mmlu/base_results.h"

namespace evalq {

namespace {

std::string number(double v, const char* format = "%.6g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string interval(double lo, double hi) { return interval_text(number(lo), number(hi)); }

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

// A ppl result's per-seq documents (one seq gives the document itself, several a "runs" list).
std::vector<nlohmann::json> ppl_runs(const nlohmann::json& result) {
  if (!result.contains("runs")) return {result};
  return result["runs"].get<std::vector<nlohmann::json>>();
}

nlohmann::json interval_json(const std::optional<Interval>& ci) {
  return ci ? nlohmann::json({ci->lo, ci->hi}) : nlohmann::json(nullptr);
}

// One model's perplexity at the kld run's seq, from the kld document's window sums (identical to
// what `evalq ppl` computes on the same windows: exp of the mean NLL, window-jackknife interval).
nlohmann::json ppl_from_kld(const nlohmann::json& kld, bool base) {
  std::vector<double> sums, counts;
  for (const auto& w : kld["window_results"]) {
    sums.push_back(w[base ? "nll_base_sum" : "nll_quant_sum"].get<double>());
    counts.push_back(w["targets"].get<double>());
  }
  return {{"seq", kld["seq"]},
          {"ppl", kld[base ? "ppl_base" : "ppl_quant"]},
          {"ppl_ci95", interval_json(exp_ci95(jackknife_ratio(sums, counts), sums.size()))},
          {"tokens_scored", kld["tokens_scored"]},
          {"from", "kld"}};
}

// PPL(candidate)/PPL(base) at the kld run's seq: its paired ratio and jackknife interval.
nlohmann::json ratio_from_kld(const nlohmann::json& kld) {
  const double ln = kld["ln_ppl_ratio"], se = kld["ln_ppl_ratio_stderr_jackknife"];
  return {{"seq", kld["seq"]},
          {"ratio", std::exp(ln)},
          {"ci95", interval_json(exp_ci95({ln, se}, kld["windows"].get<size_t>()))},
          {"from", "kld"}};
}

// PPL(candidate)/PPL(base) from two ppl runs: on the same windows, the same paired estimate as the
// kld run's from their window sums; otherwise the ratio alone.
nlohmann::json ratio_from_ppl(const nlohmann::json& base_ppl, const nlohmann::json& cand_ppl) {
  nlohmann::json r = {{"seq", base_ppl["seq"]},
                      {"ratio", cand_ppl["ppl"].get<double>() / base_ppl["ppl"].get<double>()},
                      {"ci95", nullptr},
                      {"from", "ppl"}};
  const auto& wb = base_ppl["windows"];
  const auto& wq = cand_ppl["windows"];
  bool same_windows = wb.size() == wq.size() && wb.size() >= 2;
  std::vector<double> diff, counts;
  for (size_t i = 0; same_windows && i < wb.size(); ++i) {
    same_windows = wb[i]["begin"] == wq[i]["begin"] && wb[i]["end"] == wq[i]["end"] && wb[i]["n"] == wq[i]["n"];
    diff.push_back(wq[i]["nll_sum"].get<double>() - wb[i]["nll_sum"].get<double>());
    counts.push_back(wb[i]["n"].get<double>());
  }
  if (same_windows) r["ci95"] = interval_json(exp_ci95(jackknife_ratio(diff, counts), diff.size()));
  return r;
}

// Whether two models' tokenizer.json files are byte-identical (what reading a base-logits cache
// written for one of them needs).
bool same_tokenizer_file(const std::string& a, const std::string& b) {
  auto bytes = [](const std::string& model) -> std::optional<std::string> {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::is_directory(model, ec) ? std::filesystem::path(model)
                                                                          : std::filesystem::path(model).parent_path();
    const std::filesystem::path file = dir / "tokenizer.json";
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    return read_file_bytes(file);
  };
  const auto x = bytes(a), y = bytes(b);
  return x && y && *x == *y;
}

std::vector<int64_t> seq_list(const nlohmann::json& likelihood) {
  if (!likelihood.contains("seq")) return {};
  const auto& s = likelihood["seq"];
  return s.is_array() ? s.get<std::vector<int64_t>>() : std::vector<int64_t>{s.get<int64_t>()};
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
  if (!base.engine.sim.empty()) throw Error("compare runs the base as it is; simulations are candidates (--sim)");
  const std::vector<int64_t> seqs = seq_list(likelihood);
  if (seqs.size() > 1 && !ppl) {
    throw Error("--seq lists several values, but only ppl runs at several (kld and its ratio use one); add ppl to "
                "--metrics or give one --seq");
  }
  nlohmann::json base_runs = {{"kld", 0}, {"ppl", 0}, {"mmlu", 0}};

  // KLD (and PPL at its seq, the first --seq): the base runs with the first candidate and saves its
  // distributions; every later candidate reads them.
  std::vector<nlohmann::json> kld_docs;
  nlohmann::json kld_cache = nullptr;
  if (kld) {
    nlohmann::json options = likelihood;
    if (!seqs.empty()) options["seq"] = seqs.front();
    // The base-logits cache of this run, removed when it ends.
    std::optional<TemporaryFile> cache;
    if (candidates.size() > 1) cache.emplace("evalq-compare", ".blc");
    for (size_t i = 0; i < candidates.size(); ++i) {
      nlohmann::json o = options;
      std::vector<ModelSpec> models = {candidates[i].spec};
      if (i == 0) {
        models.insert(models.begin(), base);
        if (cache) o["save_base"] = cache->path();
      } else if (same_tokenizer_file(base.path, candidates[i].spec.path)) {
        o["base"] = cache->path();
      } else {
        // A cache is read only with a byte-identical tokenizer.json; a direct run also accepts
        // tokenizers that agree on a probe text (or refuses them, naming both).
        std::cerr << "evalq compare: " << candidates[i].label
                  << ": tokenizer.json differs from the base's; the base runs again for this candidate\n";
        models.insert(models.begin(), base);
        base_runs["kld"] = base_runs["kld"].get<int>() + 1;
      }
      kld_docs.push_back(run_metric("kld", models, o));
    }
    base_runs["kld"] = base_runs["kld"].get<int>() + 1;
    if (cache) {
      kld_cache = kld_docs[0]["saved_base"];
      kld_cache.erase("file");
    }
  }

  // PPL at every other seq: one multi-seq ppl run per model, the base's once.
  std::vector<int64_t> ppl_seqs;
  for (int64_t s : seqs) {
    if (!(kld && s == seqs.front())) ppl_seqs.push_back(s);
  }
  const bool run_ppl = ppl && (!ppl_seqs.empty() || !kld);
  nlohmann::json ppl_options = likelihood;
  if (!ppl_seqs.empty()) ppl_options["seq"] = ppl_seqs;
  auto ppl_entries = [&](const ModelSpec& spec, const nlohmann::json* kld_doc, bool is_base) {
    std::vector<nlohmann::json> by_seq;
    if (kld_doc) by_seq.push_back(ppl_from_kld(*kld_doc, is_base));
    if (run_ppl) {
      for (auto& r : ppl_runs(run_metric("ppl", {spec}, ppl_options))) {
        r["from"] = "ppl";
        by_seq.push_back(std::move(r));
      }
    }
    return by_seq;
  };

  nlohmann::json models = nlohmann::json::array();
  auto entry = [](const std::string& label, const ModelSpec& spec) {
    return nlohmann::json{{"label", label}, {"path", spec.path},
                          {"sim", spec.engine.sim.empty() ? nlohmann::json() : nlohmann::json(spec.engine.sim)},
                          {"ppl", nullptr}, {"ppl_ratio", nullptr}, {"kld", nullptr}, {"mmlu", nullptr}};
  };
  models.push_back(entry(base.path, base));
  std::vector<nlohmann::json> base_ppl;
  if (ppl) {
    base_ppl = ppl_entries(base, kld ? &kld_docs[0] : nullptr, true);
    models[0]["ppl"] = base_ppl;
    base_runs["ppl"] = run_ppl ? 1 : 0;
  }
  std::optional<MmluBaseResults> mmlu_base;
  if (mmlu) {
    mmlu_base = score_mmlu_base(base, mmlu_options);
    base_runs["mmlu"] = 1;
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    const CompareCandidate& c = candidates[i];
    nlohmann::json e = entry(c.label, c.spec);
    if (kld) e["kld"] = kld_docs[i];
    if (ppl) {
      const std::vector<nlohmann::json> mine = ppl_entries(c.spec, kld ? &kld_docs[i] : nullptr, false);
      e["ppl"] = mine;
      e["ppl_ratio"] = nlohmann::json::array();
      for (size_t k = 0; k < mine.size(); ++k) {
        e["ppl_ratio"].push_back(kld && k == 0 ? ratio_from_kld(kld_docs[i]) : ratio_from_ppl(base_ppl[k], mine[k]));
      }
    } else if (kld) {
      e["ppl_ratio"] = {ratio_from_kld(kld_docs[i])};
    }
    if (mmlu) e["mmlu"] = mmlu_against_base(*mmlu_base, c.spec, mmlu_options);
    models.push_back(e);
  }
  nlohmann::json result = {{"tool", "evalq compare"}, {"base", base.path}, {"metrics", metrics},
                           {"base_runs", base_runs}, {"kld_base_cache", kld_cache}, {"models", models}};
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
  // The seqs of the PPL and ratio columns, as the candidates' ratios list them.
  std::vector<int64_t> seqs;
  if (!models[1]["ppl_ratio"].is_null()) {
    for (const auto& x : models[1]["ppl_ratio"]) seqs.push_back(x["seq"].get<int64_t>());
  }
  // One seq keeps the plain column names; several name their seq.
  auto named = [&](const std::string& what, int64_t seq, const std::string& suffix = "") {
    return seqs.size() == 1 ? what + suffix : what + " seq " + std::to_string(seq) + suffix;
  };
  t.header = {"model"};
  for (int64_t s : seqs) {
    if (ppl) t.header.insert(t.header.end(), {named("PPL", s), named("PPL", s, " 95% CI")});
    t.header.insert(t.header.end(), {named("PPL ratio", s), named("ratio", s, " 95% CI")});
  }
  if (kld) {
    // With several seqs, say which one KLD was measured at (the first).
    const int64_t s = seqs.empty() ? 0 : seqs.front();
    t.header.insert(t.header.end(), {named("KLD mean", s), named("KLD mean", s, " 95% CI"), named("KLD p99", s),
                                     named("top-1 %", s)});
  }
  if (mmlu) t.header.insert(t.header.end(), {"MMLU %", "MMLU Δ points", "Δ 95% CI"});
  for (size_t i = 0; i < models.size(); ++i) {
    const auto& m = models[i];
    std::vector<std::string> row = {i == 0 ? m["label"].get<std::string>() + " (base)" : m["label"].get<std::string>()};
    for (size_t k = 0; k < seqs.size(); ++k) {
      if (ppl) {
        const auto& p = m["ppl"][k];
        row.push_back(number(p["ppl"]));
        row.push_back(p["ppl_ci95"].is_null() ? "–" : interval(p["ppl_ci95"][0], p["ppl_ci95"][1]));
      }
      if (i == 0) {
        row.insert(row.end(), {"1", "–"});
      } else {
        const auto& q = m["ppl_ratio"][k];
        row.push_back(number(q["ratio"]));
        row.push_back(q["ci95"].is_null() ? "–" : interval(q["ci95"][0], q["ci95"][1]));
      }
    }
    if (i == 0) {
      if (kld) row.insert(row.end(), {"–", "–", "–", "–"});
      // Every candidate's result pairs the one base run with it; the first one reports it.
      if (mmlu) row.insert(row.end(), {number(100 * mmlu_comparison(models[1]["mmlu"]).base_accuracy, "%.2f"), "–", "–"});
    } else {
      if (kld) {
        const auto& k = m["kld"];
        const double mean = k["kld"]["mean"], se = k["kld"]["stderr_jackknife"];
        const Interval ci = normal_ci95({mean, se});
        row.push_back(number(mean));
        row.push_back(k["windows"].get<int64_t>() < 2 ? "–" : interval(ci.lo, ci.hi));
        row.push_back(number(k["kld"]["p99"]));
        row.push_back(number(100 * k["top1_agreement"].get<double>(), "%.2f"));
      }
      if (mmlu) {
        const MmluComparison c = mmlu_comparison(m["mmlu"]);
        row.push_back(number(100 * c.quant_accuracy, "%.2f"));
        row.push_back(number(-c.drop_points, "%.2f"));
        row.push_back(interval_text(number(-c.drop_ci95_points.hi, "%.2f"), number(-c.drop_ci95_points.lo, "%.2f")));
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
    for (const auto& c : cells) {
      s += ' ';
      s += c;
      s += " |";
    }
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
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c) s += ',';
      s += cell(cells[c]);
    }
    return s + "\n";
  };
  std::string out = line(flat.header);
  for (const auto& row : flat.rows) out += line(row);
  return out;
}

}  // namespace evalq
