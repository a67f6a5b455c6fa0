// Per-layer sensitivity of a --sim spec: each selected linear weight is quantized alone and ranked
// by the KL divergence it adds over a short calibration set; then a mixed-precision spec is proposed
// that keeps the most sensitive layers at a gentler format until the measured KLD of the whole model
// meets --max-kld. Drives the kld metric (base distributions cached once) through the registry.
#include <evalq/error.h>
#include <evalq/model_info.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/progress.h"
#include "common/temporary_file.h"
#include "metric.h"

namespace evalq {
namespace {

namespace fs = std::filesystem;

struct LayerResult {
  std::string node, weight, format, rule;
  double kld = 0, top1 = 0;
};

// The rule as written, without its selectors: "int4:block=32@*mlp*" -> "int4:block=32".
std::string rule_body(const std::string& rule) { return rule.substr(0, rule.find('@')); }

class SensitivityMetric : public Metric {
 public:
  std::string name() const override { return "sensitivity"; }

  nlohmann::json run(const MetricRequest& request) const override {
    if (request.models.size() != 1) throw Error("sensitivity takes exactly one model (the unquantized base)");
    const ModelSpec& spec = request.models[0];
    if (spec.engine.sim.empty()) throw Error("sensitivity needs --sim SPEC: the quantization whose layers to rank");
    nlohmann::json kld_options = request.options;
    std::optional<double> max_kld;
    std::string fallback = "int8:channel";
    if (kld_options.contains("max_kld")) {
      max_kld = kld_options["max_kld"].get<double>();
      kld_options.erase("max_kld");
    }
    if (kld_options.contains("fallback")) {
      fallback = kld_options["fallback"].get<std::string>();
      kld_options.erase("fallback");
    }
    if (fallback.find('@') != std::string::npos) throw Error("--fallback is a format without selectors, e.g. int8:channel");

    SimReport preview = preview_sim(spec.path, spec.engine.sim);
    std::vector<LayerResult> layers;
    for (const auto& d : preview.decisions) {
      if (d.rule < 0 || d.format == "none (kept)") continue;
      layers.push_back({d.node, d.weight, d.format, rule_body(d.rule_text)});
    }
    if (layers.empty()) throw Error("--sim " + spec.engine.sim + " quantizes no linear weight of " + spec.path);

    auto kld = MetricRegistry::instance().create("kld");
    EngineOptions plain = spec.engine;
    plain.sim.clear();
    const TemporaryFile cache("evalq-sensitivity", ".blc");
    Progress progress("sensitivity", static_cast<int64_t>(layers.size()) + 2, "runs");
    ProgressSilence quiet_inner_runs;
    {
      MetricRequest base_req{{{spec.path, plain}}, kld_options};
      base_req.options["save_base"] = cache.path();
      kld->run(base_req);
      progress.advance(1);
    }
    auto measure = [&](const std::string& sim) {
      EngineOptions e = plain;
      e.sim = sim;
      MetricRequest r{{{spec.path, e}}, kld_options};
      r.options["base"] = cache.path();
      return kld->run(r);
    };

    const nlohmann::json full = measure(spec.engine.sim);
    progress.advance(1);
    for (auto& l : layers) {
      // Exact weight names: glob metacharacters in them would widen the selection.
      if (l.weight.find_first_of("*?;@,") != std::string::npos) {
        throw Error("weight name '" + l.weight + "' contains a --sim metacharacter; cannot quantize it alone");
      }
      nlohmann::json r = measure(l.rule + "@" + l.weight);
      l.kld = r["kld"]["mean"].get<double>();
      l.top1 = r["top1_agreement"].get<double>();
      progress.advance(1);
    }
    progress.finish();
    std::stable_sort(layers.begin(), layers.end(), [](const LayerResult& a, const LayerResult& b) { return a.kld > b.kld; });

    nlohmann::json result = {{"metric", "sensitivity"}, {"model", spec.path}, {"sim", spec.engine.sim},
                             {"fallback", fallback}, {"kld_full", full["kld"]["mean"]},
                             {"top1_full", full["top1_agreement"]}, {"method", full.value("method", "")},
                             {"positions_compared", full["positions_compared"]}};
    result["layers"] = nlohmann::json::array();
    for (const auto& l : layers) {
      result["layers"].push_back({{"node", l.node}, {"weight", l.weight}, {"format", l.format}, {"kld_mean", l.kld},
                                  {"top1_agreement", l.top1}});
    }
    if (max_kld) result["proposal"] = propose(layers, spec.engine.sim, fallback, *max_kld, full, measure);
    return result;
  }

  std::string render_table(const nlohmann::json& r) const override {
    std::ostringstream out;
    char line[512];
    out << "model: " << r["model"].get<std::string>() << "\n--sim " << r["sim"].get<std::string>()
        << ": mean KLD " << r["kld_full"].get<double>() << ", top-1 " << r["top1_full"].get<double>() << " over "
        << r["positions_compared"] << " positions\n";
    out << "rank  mean KLD alone  top-1    layer (format)\n";
    int rank = 1;
    for (const auto& l : r["layers"]) {
      std::snprintf(line, sizeof line, "%4d  %14.6f  %6.4f  %s (%s)\n", rank++, l["kld_mean"].get<double>(),
                    l["top1_agreement"].get<double>(), l["node"].get<std::string>().c_str(),
                    l["format"].get<std::string>().c_str());
      out << line;
    }
    if (r.contains("proposal")) {
      const auto& p = r["proposal"];
      out << "proposal (max KLD " << p["max_kld"].get<double>() << "): " << p["spec"].get<std::string>() << "\n"
          << "  measured mean KLD " << p["kld_mean"].get<double>() << ", " << p["layers_kept_back"]
          << " layers at " << r["fallback"].get<std::string>() << (p["meets"].get<bool>() ? ", meets the target\n"
                                                                                          : ", does NOT meet the target\n");
    }
    return out.str();
  }

 private:
  // Moves the most sensitive layers to `fallback` until the measured KLD meets `max_kld`. The sum
  // of single-layer KLDs predicts how many to move; each prediction is then measured.
  template <typename Measure>
  static nlohmann::json propose(const std::vector<LayerResult>& layers, const std::string& sim, const std::string& fallback,
                                double max_kld, const nlohmann::json& full, Measure&& measure) {
    auto spec_with = [&](size_t k) {
      if (k == 0) return sim;
      std::string s = fallback + "@";
      for (size_t i = 0; i < k; ++i) s += (i ? "," : "") + layers[i].weight;
      return s + "; " + sim;
    };
    double total = 0;
    for (const auto& l : layers) total += l.kld;
    size_t k = 0;
    double kld = full["kld"]["mean"].get<double>();
    if (kld > max_kld) {
      // Predicted KLD after moving the first k layers: the full KLD scaled by the share of
      // single-layer KLD left.
      double removed = 0;
      while (k < layers.size() && total > 0 && kld * (1 - removed / total) > max_kld) removed += layers[k++].kld;
      for (int tries = 0; tries < 8; ++tries) {
        kld = measure(spec_with(k))["kld"]["mean"].template get<double>();
        if (kld <= max_kld || k == layers.size()) break;
        k = std::min(layers.size(), k + std::max<size_t>(1, layers.size() / 16));
      }
    }
    return {{"spec", spec_with(k)}, {"max_kld", max_kld}, {"kld_mean", kld}, {"layers_kept_back", k},
            {"meets", kld <= max_kld}};
  }
};

}  // namespace

EVALQ_REGISTER_METRIC("sensitivity", SensitivityMetric);

}  // namespace evalq
