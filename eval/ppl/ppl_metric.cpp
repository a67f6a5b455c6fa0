// `ppl`: perplexity of one model over planned token windows (modelopt, hf or llamacpp protocol),
// with a window-jackknife confidence interval beside llama.cpp's independent-token ±.
#include <evalq/error.h>
#include <evalq/sha256.h>
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

// The run identity of one --seq value: the fields of its result that do not depend on the
// scored windows, and the plan they are cut from.
struct SeqPlan {
  WindowSpec spec;
  std::vector<Window> windows;
  nlohmann::json run;
};

SeqPlan plan_seq(const Session& session, const std::string& model_path, const TokenizedCorpus& corpus,
                 const LikelihoodOptions& options, int64_t seq) {
  check_context_length(session.model(), seq);
  SeqPlan p;
  p.spec = window_spec(options, seq, corpus);
  p.windows = plan_windows(static_cast<int64_t>(corpus.ids.size()), p.spec);
  int64_t total_targets = 0;
  for (const Window& w : p.windows) total_targets += scored_targets(w);
  if (total_targets == 0) throw Error("the planned windows score no tokens; use more data");
  p.run = {
      {"metric", "ppl"},
      {"model", model_path},
      {"method", window_method_name(p.spec.method)},
      {"seq", seq},
      {"chunk", p.spec.method == WindowMethod::LlamaCpp ? nlohmann::json(nullptr) : nlohmann::json(p.spec.chunk)},
      {"data", corpus.data_name},
      {"data_sha256", corpus.text_sha256},
      {"bos", bos_policy_name(options.bos)},
      {"tokens_total", corpus.ids.size()},
      {"numerics", numerics_name(session.model().options().numerics)},
      {"sim", engine_summary(session.model())["sim"]},
      {"plan_sha256", sha256_hex(describe_plan(p.spec, p.windows))},
  };
  return p;
}

// Scores the planned windows in `slice`: per window its NLL sum, sum of squares, count and first
// and last scored target, the sufficient statistics of every number in the result.
nlohmann::json score_windows(Session& session, const TokenizedCorpus& corpus, const SeqPlan& plan, const Slice& slice,
                             const Shard& shard) {
  int64_t slice_targets = 0;
  for (int64_t i = slice.begin; i < slice.end; ++i) slice_targets += scored_targets(plan.windows[i]);
  const std::string label = "ppl seq " + std::to_string(plan.spec.seq) + (shard.whole() ? "" : " shard " + shard.text());
  Progress progress(label, slice_targets, "tok");
  double run_sum = 0;
  int64_t run_n = 0;
  nlohmann::json rows = nlohmann::json::array();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = slice.begin; i < slice.end; ++i) {
    const Window& w = plan.windows[i];
    const Tensor logits = run_window(session, corpus.ids, w, corpus.bos_id);
    const int64_t vocab = logits_vocab(logits, w);
    double sum = 0, sum2 = 0;
    int64_t n = 0, first = -1, last = -1;
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
      sum2 += x * x;
      ++n;
      if (first < 0) first = target_pos;
      last = target_pos;
    }
    rows.push_back({{"begin", w.begin}, {"end", w.end}, {"nll_sum", sum}, {"nll_sum2", sum2}, {"n", n},
                    {"first_scored", first}, {"last_scored", last}});
    run_sum += sum;
    run_n += n;
    progress.advance(n, "PPL " + fmt("%.4f", run_n ? std::exp(run_sum / run_n) : 0.0));
  }
  progress.finish("PPL " + fmt("%.4f", run_n ? std::exp(run_sum / run_n) : 0.0));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {{"windows", rows}, {"seconds", seconds}};
}

// One --seq value's result from its run identity and the window states of every shard in order.
// The totals are sums of the per-window sums in window order, whatever the sharding.
nlohmann::json finalize_seq(const nlohmann::json& run, const std::vector<const nlohmann::json*>& states) {
  Moments nll;
  std::vector<double> window_sums, window_counts;
  nlohmann::json window_rows = nlohmann::json::array();
  int64_t first_scored = -1, last_scored = -1;
  double seconds = 0;
  for (const nlohmann::json* state : states) {
    seconds += (*state)["seconds"].get<double>();
    for (const nlohmann::json& w : (*state)["windows"]) {
      const double sum = w["nll_sum"].get<double>();
      const int64_t n = w["n"].get<int64_t>();
      nll.sum += sum;
      nll.sum2 += w["nll_sum2"].get<double>();
      nll.n += n;
      if (first_scored < 0) first_scored = w["first_scored"].get<int64_t>();
      if (w["last_scored"].get<int64_t>() >= 0) last_scored = w["last_scored"].get<int64_t>();
      window_sums.push_back(sum);
      window_counts.push_back(static_cast<double>(n));
      window_rows.push_back({{"begin", w["begin"]}, {"end", w["end"]}, {"nll_sum", sum}, {"n", n}});
    }
  }
  const Estimate naive = mean_and_stderr(nll);
  const Estimate jack = jackknife_ratio(window_sums, window_counts);
  const std::optional<Interval> ppl_ci = exp_ci95(jack, window_sums.size());
  const double ppl = std::exp(naive.value);
  nlohmann::json result = run;
  result.erase("plan_sha256");
  result.update({
      {"tokens_scored", nll.n},
      {"first_scored", first_scored},
      {"last_scored", last_scored},
      {"nll_mean", naive.value},
      {"nll_stderr_jackknife", jack.stderr_},
      {"ppl", ppl},
      {"ppl_ci95", ppl_ci ? nlohmann::json({ppl_ci->lo, ppl_ci->hi}) : nlohmann::json(nullptr)},
      {"ppl_pm_naive", ppl * naive.stderr_},
      {"seconds", seconds},
      {"tokens_per_second", seconds > 0 ? static_cast<double>(nll.n) / seconds : 0.0},
      {"windows", window_rows},
  });
  return result;
}

class PplMetric : public Metric {
 public:
  std::string name() const override { return "ppl"; }

  nlohmann::json run_partial(const MetricRequest& request, const Shard& shard) const override {
    if (request.models.size() != 1) throw Error("ppl takes exactly one model");
    const LikelihoodOptions options = parse_likelihood_options(request.options, {}, WindowMethod::ModelOpt);
    if (options.method == WindowMethod::ModelOptKld) throw Error("--method modelopt-kld is a kld method, not a ppl one");
    const ModelSpec& spec = request.models[0];
    auto model = load_spec_model(spec);
    const Tokenizer tokenizer = Tokenizer::load(model->folder());
    const TokenizedCorpus corpus = tokenize_corpus(tokenizer, options);
    Session session(model);
    std::vector<SeqPlan> plans;
    for (int64_t seq : seqs_or_default(options)) plans.push_back(plan_seq(session, spec.path, corpus, options, seq));
    nlohmann::json run = {{"model", spec.path},
                          {"options", identity_options(request.options, {"data_dir"})},
                          {"tokenizer", tokenizer.fingerprint()},
                          {"runs", nlohmann::json::array()}};
    nlohmann::json state = {{"runs", nlohmann::json::array()}};
    for (const SeqPlan& plan : plans) {
      run["runs"].push_back(plan.run);
      const Slice slice = shard_slice(static_cast<int64_t>(plan.windows.size()), shard);
      state["runs"].push_back(score_windows(session, corpus, plan, slice, shard));
    }
    return make_partial("ppl", shard, run, state);
  }

  nlohmann::json finalize(const std::vector<nlohmann::json>& parts) const override {
    const nlohmann::json& run = parts.front()["run"];
    nlohmann::json runs = nlohmann::json::array();
    for (size_t i = 0; i < run["runs"].size(); ++i) {
      std::vector<const nlohmann::json*> states;
      for (const nlohmann::json& p : parts) states.push_back(&p["state"]["runs"][i]);
      runs.push_back(finalize_seq(run["runs"][i], states));
    }
    if (runs.size() == 1) return runs[0];
    return {{"metric", "ppl"}, {"model", run["model"]}, {"runs", runs}};
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
