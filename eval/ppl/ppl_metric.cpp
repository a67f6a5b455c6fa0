// `ppl`: perplexity of one model over planned token windows (modelopt, hf or llamacpp protocol),
// with a window-jackknife confidence interval beside llama.cpp's independent-token ±.
#include <evalq/error.h>
#include <evalq/session.h>
#include <evalq/tokenizer.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/likelihood_setup.h"
#include "common/progress.h"
#include "common/row_stats.h"
#include "common/statistics.h"
#include "metric.h"

namespace evalq {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

nlohmann::json run_one_seq(Session& session, const std::string& model_path, const TokenizedCorpus& corpus,
                           const LikelihoodOptions& options, int64_t seq) {
  check_context_length(session.model(), seq);
  const WindowSpec spec = window_spec(options, seq, corpus);
  const std::vector<Window> windows = plan_windows(static_cast<int64_t>(corpus.ids.size()), spec);
  int64_t total_targets = 0;
  for (const Window& w : windows) total_targets += scored_targets(w);
  if (total_targets == 0) throw Error("the planned windows score no tokens; use more data");

  Moments nll;
  std::vector<double> window_sums, window_counts;
  nlohmann::json window_rows = nlohmann::json::array();
  int64_t first_scored = -1, last_scored = -1;
  Progress progress("ppl seq " + std::to_string(seq), total_targets, "tok");
  const auto start = std::chrono::steady_clock::now();
  for (const Window& w : windows) {
    const Tensor logits = run_window(session, corpus.ids, w, corpus.bos_id);
    const int64_t vocab = logits_vocab(logits, w);
    double sum = 0;
    int64_t n = 0;
    for (int64_t r = w.row_begin; r < w.row_end; ++r) {
      const int64_t target_pos = w.begin + r + 1;
      if (target_pos >= w.end) continue;
      const int64_t target = corpus.ids[target_pos];
      if (target < 0 || target >= vocab) {
        throw Error("token id " + std::to_string(target) + " at position " + std::to_string(target_pos) +
                    " is outside the model's vocabulary of " + std::to_string(vocab));
      }
      const float* row = logits.data<float>() + (r - w.row_begin) * vocab;
      const double x = -log_prob(row, row_stats(row, vocab), target);
      sum += x;
      ++n;
      nll.add(x);
      if (first_scored < 0) first_scored = target_pos;
      last_scored = target_pos;
    }
    window_sums.push_back(sum);
    window_counts.push_back(static_cast<double>(n));
    window_rows.push_back({{"begin", w.begin}, {"end", w.end}, {"nll_sum", sum}, {"n", n}});
    progress.advance(n, "PPL " + fmt("%.4f", std::exp(nll.mean())));
  }
  progress.finish("PPL " + fmt("%.4f", std::exp(nll.mean())));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const Estimate naive = mean_and_stderr(nll);
  const Estimate jack = jackknife_ratio(window_sums, window_counts);
  const Interval ln_ci = normal_ci95(jack);
  const double ppl = std::exp(naive.value);
  return {
      {"metric", "ppl"},
      {"model", model_path},
      {"method", window_method_name(spec.method)},
      {"seq", seq},
      {"chunk", spec.method == WindowMethod::LlamaCpp ? nlohmann::json(nullptr) : nlohmann::json(spec.chunk)},
      {"data", corpus.data_name},
      {"data_sha256", corpus.text_sha256},
      {"bos", bos_policy_name(options.bos)},
      {"tokens_total", corpus.ids.size()},
      {"tokens_scored", nll.n},
      {"first_scored", first_scored},
      {"last_scored", last_scored},
      {"nll_mean", naive.value},
      {"nll_stderr_jackknife", jack.stderr_},
      {"ppl", ppl},
      // One window gives no spread to measure: no interval rather than a zero-width one.
      {"ppl_ci95", window_sums.size() < 2 ? nlohmann::json(nullptr)
                                          : nlohmann::json({std::exp(ln_ci.lo), std::exp(ln_ci.hi)})},
      {"ppl_pm_naive", ppl * naive.stderr_},
      {"numerics", numerics_name(session.model().options().numerics)},
      {"sim", engine_summary(session.model())["sim"]},
      {"seconds", seconds},
      {"tokens_per_second", seconds > 0 ? static_cast<double>(nll.n) / seconds : 0.0},
      {"windows", window_rows},
  };
}

class PplMetric : public Metric {
 public:
  std::string name() const override { return "ppl"; }

  nlohmann::json run(const MetricRequest& request) const override {
    if (request.models.size() != 1) throw Error("ppl takes exactly one model");
    const LikelihoodOptions options = parse_likelihood_options(request.options, {}, WindowMethod::ModelOpt);
    if (options.method == WindowMethod::ModelOptKld) throw Error("--method modelopt-kld is a kld method, not a ppl one");
    const ModelSpec& spec = request.models[0];
    auto model = Model::load(spec.path, spec.engine);
    const Tokenizer tokenizer = Tokenizer::load(model->folder());
    const TokenizedCorpus corpus = tokenize_corpus(tokenizer, options);
    Session session(model);
    const std::vector<int64_t> seqs = seqs_or_default(options);
    if (seqs.size() == 1) return run_one_seq(session, spec.path, corpus, options, seqs[0]);
    nlohmann::json runs = nlohmann::json::array();
    for (int64_t seq : seqs) runs.push_back(run_one_seq(session, spec.path, corpus, options, seq));
    return {{"metric", "ppl"}, {"model", spec.path}, {"runs", runs}};
  }

  std::string render_table(const nlohmann::json& result) const override {
    std::ostringstream out;
    const nlohmann::json runs = result.contains("runs") ? result["runs"] : nlohmann::json::array({result});
    out << "model: " << result["model"].get<std::string>() << "\n";
    const nlohmann::json& first = runs.front();
    if (first.contains("sim") && !first["sim"].is_null()) {
      out << "simulated: --sim " << first["sim"]["spec"].get<std::string>() << " (" << first["sim"]["quantized"]
          << " linear weights)\n";
    }
    out << "method    seq   chunk  scored   first..last        PPL  95% CI (window jackknife) ± naive\n";
    for (const auto& r : runs) {
      char line[256], ci[96] = "n/a (one window)";
      if (!r["ppl_ci95"].is_null()) {
        std::snprintf(ci, sizeof ci, "[%.4f, %.4f]", r["ppl_ci95"][0].get<double>(), r["ppl_ci95"][1].get<double>());
      }
      const std::string chunk = r["chunk"].is_null() ? "-" : std::to_string(r["chunk"].get<int64_t>());
      std::snprintf(line, sizeof line, "%-8s %5lld %6s %7lld  %6lld..%-8lld %10.4f  %-26s %.4f\n",
                    r["method"].get<std::string>().c_str(), static_cast<long long>(r["seq"].get<int64_t>()), chunk.c_str(),
                    static_cast<long long>(r["tokens_scored"].get<int64_t>()),
                    static_cast<long long>(r["first_scored"].get<int64_t>()),
                    static_cast<long long>(r["last_scored"].get<int64_t>()), r["ppl"].get<double>(), ci,
                    r["ppl_pm_naive"].get<double>());
      out << line;
    }
    return out.str();
  }
};

}  // namespace

EVALQ_REGISTER_METRIC("ppl", PplMetric);

}  // namespace evalq
