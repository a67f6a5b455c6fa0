// `kld`: KL(base || candidate) per compared position over the full vocabulary, with every
// statistic llama.cpp's KL-divergence mode prints, window-jackknife errors, ModelOpt's
// abs-divergence for --method modelopt-kld, and the base-logits cache.
#include <evalq/error.h>
#include <evalq/session.h>
#include <evalq/tokenizer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <evalq/sha256.h>

#include "common/likelihood_setup.h"
#include "common/histograms.h"
#include "common/progress.h"
#include "common/row_stats.h"
#include "common/statistics.h"
#include "kld/base_logits_cache.h"
#include "kld/divergence.h"
#include "metric.h"

namespace evalq {

namespace {

void require_in_vocab(int64_t token, int64_t position, int64_t vocab) {
  if (token < 0 || token >= vocab) {
    throw Error("token id " + std::to_string(token) + " at position " + std::to_string(position) +
                " is outside the compared vocabulary of " + std::to_string(vocab));
  }
}

constexpr int64_t kDefaultTopK = 128;
constexpr const char* kProbeText =
    "The quick brown fox jumps over the lazy dog. 1234567890 \xC3\xA9t\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 "
    "<s> </s> \n\n  indented\ttabs";

// One window's sums, in double: the sufficient statistics of every mean, error and jackknife in
// the result. Totals are sums of these in window order, so sharding cannot change them.
struct WindowSums {
  Moments kld, nll_q, nll_b, dp;
  double nll_cross = 0, dp4 = 0, abs_div = 0;
  int64_t same_top = 0;

  nlohmann::json to_json() const {
    return {{"kld_sum", kld.sum},     {"kld_sum2", kld.sum2},     {"rows", kld.n},          {"same_top", same_top},
            {"nll_q_sum", nll_q.sum}, {"nll_q_sum2", nll_q.sum2}, {"nll_b_sum", nll_b.sum}, {"nll_b_sum2", nll_b.sum2},
            {"nll_cross", nll_cross}, {"dp_sum", dp.sum},         {"dp_sum2", dp.sum2},     {"dp4", dp4},
            {"targets", nll_q.n},     {"abs_div_sum", abs_div}};
  }
};

Moments moments(const nlohmann::json& w, const char* sum, const char* sum2, const char* n) {
  Moments m;
  m.sum = w[sum].get<double>();
  m.sum2 = w[sum2].get<double>();
  m.n = w[n].get<int64_t>();
  return m;
}

void add_moments(Moments& total, const Moments& part) {
  total.sum += part.sum;
  total.sum2 += part.sum2;
  total.n += part.n;
}

nlohmann::json kld_summary(std::vector<double> values, const Moments& m) {
  std::sort(values.begin(), values.end());
  const Estimate e = mean_and_stderr(m);
  auto p = [&](double f) { return percentile_sorted(values, f); };
  return {{"mean", e.value},      {"stderr", e.stderr_},  {"median", median_sorted(values)},
          {"p99_9", p(0.999)},    {"p99", p(0.99)},       {"p95", p(0.95)},
          {"p90", p(0.90)},       {"p10", p(0.10)},       {"p5", p(0.05)},
          {"p1", p(0.01)},        {"p0_1", p(0.001)},     {"min", values.front()},
          {"max", values.back()}, {"histogram", log_histogram_json(values)}};
}

nlohmann::json delta_p_summary(std::vector<double> values, const Moments& m, double sum4) {
  std::sort(values.begin(), values.end());
  const Estimate e = mean_and_stderr(m);
  // RMS and its error from the moments of dp^2 (llama.cpp: 0.5 / rms * stderr(dp^2)).
  Moments sq;
  sq.sum = m.sum2;
  sq.sum2 = sum4;
  sq.n = m.n;
  const Estimate e2 = mean_and_stderr(sq);
  const double rms = std::sqrt(e2.value);
  auto p = [&](double f) { return percentile_sorted(values, f); };
  return {{"mean", e.value},   {"stderr", e.stderr_}, {"rms", rms},          {"rms_stderr", rms > 0 ? 0.5 / rms * e2.stderr_ : 0.0},
          {"p99_9", p(0.999)}, {"p99", p(0.99)},      {"p95", p(0.95)},      {"p90", p(0.90)},
          {"p75", p(0.75)},    {"median", median_sorted(values)},            {"p25", p(0.25)},
          {"p10", p(0.10)},    {"p5", p(0.05)},       {"p1", p(0.01)},       {"p0_1", p(0.001)},
          {"min", values.front()}, {"max", values.back()}, {"histogram", linear_histogram_json(values, -1, 1, 200)}};
}

struct KldOptions {
  LikelihoodOptions common;
  std::string save_base, base_cache;
  bool allow_tokenizer_mismatch = false;
  CacheFormat cache_format = CacheFormat::TopK;
  int64_t top_k = kDefaultTopK;
};

KldOptions parse_kld_options(const nlohmann::json& options) {
  KldOptions o;
  o.common = parse_likelihood_options(options, {"save_base", "base", "allow_tokenizer_mismatch", "cache_format", "top_k"},
                                      WindowMethod::ModelOpt);
  if (options.contains("save_base")) o.save_base = options["save_base"].get<std::string>();
  if (options.contains("base")) o.base_cache = options["base"].get<std::string>();
  if (options.contains("allow_tokenizer_mismatch")) o.allow_tokenizer_mismatch = options["allow_tokenizer_mismatch"].get<bool>();
  if (options.contains("cache_format")) o.cache_format = parse_cache_format(options["cache_format"].get<std::string>());
  if (options.contains("top_k")) {
    o.top_k = options["top_k"].get<int64_t>();
    if (o.top_k < 1) throw Error("option 'top_k' must be >= 1");
  }
  if (o.common.seqs.size() > 1) throw Error("kld takes one --seq value");
  if (!o.save_base.empty() && !o.base_cache.empty()) throw Error("--save-base and --base exclude each other");
  return o;
}

// One side of the comparison: its tokens and windows (the two sides differ only when the
// tokenizers do and --allow-tokenizer-mismatch is given).
struct Side {
  std::string path;
  std::shared_ptr<const Model> model;
  std::unique_ptr<Session> session;
  TokenizedCorpus corpus;
  std::string tokenizer_fingerprint;
  std::vector<Window> windows;
  WindowSpec spec;
};

void plan_side(Side& side, const KldOptions& o) {
  check_context_length(*side.model, seqs_or_default(o.common)[0]);
  side.spec = window_spec(o.common, seqs_or_default(o.common)[0], side.corpus);
  side.windows = plan_windows(static_cast<int64_t>(side.corpus.ids.size()), side.spec);
}

nlohmann::json fingerprints(const Side& s) {
  return {{"tokenizer", s.tokenizer_fingerprint},
          {"data_sha256", s.corpus.text_sha256},
          {"tokens_sha256", s.corpus.tokens_sha256},
          {"plan_sha256", sha256_hex(describe_plan(s.spec, s.windows))}};
}

int64_t total_rows(const std::vector<Window>& windows) {
  int64_t n = 0;
  for (const Window& w : windows) n += w.rows();
  return n;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

class KldMetric : public Metric {
 public:
  std::string name() const override { return "kld"; }

  nlohmann::json run_partial(const MetricRequest& request, const Shard& shard) const override {
    const KldOptions o = parse_kld_options(request.options);
    if (!shard.whole() && !o.save_base.empty()) {
      throw Error("--save-base writes the whole base cache and cannot be sharded; save it in one unsharded run, "
                  "then shard the candidates with --base FILE");
    }
    const bool from_cache = !o.base_cache.empty();
    const size_t n_models = request.models.size();
    if (from_cache && n_models != 1) throw Error("kld --base FILE takes exactly one model (the candidate)");
    const bool base_only_allowed = !o.save_base.empty();
    if (!from_cache && !(n_models == 2 || (n_models == 1 && base_only_allowed))) {
      throw Error("kld takes BASE QUANT (or BASE --save-base FILE, or QUANT --base FILE)");
    }

    std::optional<Side> base;
    std::optional<Side> quant;
    auto load_side = [&](const ModelSpec& spec) {
      Side s;
      s.path = spec.path;
      s.model = load_spec_model(spec);
      s.session = std::make_unique<Session>(s.model);
      return s;
    };
    std::unique_ptr<BaseCacheReader> reader;
    if (from_cache) {
      reader = std::make_unique<BaseCacheReader>(o.base_cache);
      quant = load_side(request.models[0]);
    } else {
      base = load_side(request.models[0]);
      if (request.models.size() == 2) quant = load_side(request.models[1]);
    }

    // Tokenize: one shared tokenization when the tokenizers agree.
    std::optional<Tokenizer> base_tok, quant_tok;
    if (base) base_tok.emplace(Tokenizer::load(base->model->folder()));
    if (quant) quant_tok.emplace(Tokenizer::load(quant->model->folder()));
    bool shared_tokens = true;
    if (base_tok && quant_tok && base_tok->fingerprint() != quant_tok->fingerprint()) {
      const bool probe_agrees = base_tok->vocab_size() == quant_tok->vocab_size() &&
                                base_tok->encode(kProbeText, true) == quant_tok->encode(kProbeText, true);
      if (!probe_agrees) {
        if (!o.allow_tokenizer_mismatch) {
          throw Error("the two models' tokenizers differ (" + base_tok->path().string() + " vs " +
                      quant_tok->path().string() +
                      "); KLD compares distributions over the same tokens. Pass --allow-tokenizer-mismatch to let "
                      "each model tokenize the data itself, as ModelOpt does");
        }
        shared_tokens = false;
        std::cerr << "evalq kld: warning: tokenizers differ; each model tokenizes the data itself\n";
      }
    }
    if (base) {
      base->corpus = tokenize_corpus(*base_tok, o.common);
      base->tokenizer_fingerprint = base_tok->fingerprint();
      plan_side(*base, o);
    }
    if (quant) {
      if (base && shared_tokens) {
        quant->corpus = base->corpus;
      } else {
        quant->corpus = tokenize_corpus(*quant_tok, o.common);
      }
      quant->tokenizer_fingerprint = quant_tok->fingerprint();
      plan_side(*quant, o);
    }
    if (reader) {
      if (reader->header().format == CacheFormat::TopK && o.common.method == WindowMethod::ModelOptKld) {
        throw Error(o.base_cache + ": --method modelopt-kld needs a full-fp16 base cache, this one is top-K");
      }
      reader->check_fingerprints(fingerprints(*quant));
    }

    const std::vector<Window>& plan = base ? base->windows : quant->windows;
    const size_t n_windows = quant ? std::min(plan.size(), quant->windows.size()) : plan.size();

    std::unique_ptr<BaseCacheWriter> writer;
    int64_t vocab = 0, base_vocab = 0, quant_vocab = 0;
    if (reader) base_vocab = reader->header().vocab;

    const bool modelopt_kld = o.common.method == WindowMethod::ModelOptKld;
    const Slice slice = shard_slice(static_cast<int64_t>(n_windows), shard);
    // The cache holds the rows of every window in order: step over those before this shard's.
    if (reader) {
      int64_t earlier_rows = 0;
      for (int64_t wi = 0; wi < slice.begin; ++wi) {
        earlier_rows += quant ? std::min(plan[wi].rows(), quant->windows[wi].rows()) : plan[wi].rows();
      }
      reader->skip(earlier_rows);
    }
    int64_t slice_rows = 0;
    for (int64_t wi = slice.begin; wi < slice.end; ++wi) slice_rows += plan[wi].rows();
    nlohmann::json window_states = nlohmann::json::array();
    std::vector<double> kld_values, dp_values;
    double run_kld = 0;
    int64_t run_rows = 0;
    Progress progress(shard.whole() ? "kld" : "kld shard " + shard.text(), slice_rows, "pos");
    const auto start = std::chrono::steady_clock::now();
    for (size_t wi = static_cast<size_t>(slice.begin); wi < static_cast<size_t>(slice.end); ++wi) {
      const Window& wb = plan[wi];
      Tensor base_logits, quant_logits;
      if (base) {
        base_logits = run_window(*base->session, base->corpus.ids, wb, base->corpus.bos_id);
        base_vocab = logits_vocab(base_logits, wb);
      }
      const Window* wq = quant ? &quant->windows[wi] : nullptr;
      if (quant) {
        quant_logits = run_window(*quant->session, quant->corpus.ids, *wq, quant->corpus.bos_id);
        quant_vocab = logits_vocab(quant_logits, *wq);
      }
      if (wi == static_cast<size_t>(slice.begin)) {
        vocab = quant ? std::min(base_vocab, quant_vocab) : base_vocab;
        if (quant && base_vocab != quant_vocab) {
          if (!o.allow_tokenizer_mismatch || reader) {
            throw Error("vocabulary sizes differ: base " + std::to_string(base_vocab) + ", candidate " +
                        std::to_string(quant_vocab) + " (--allow-tokenizer-mismatch compares the common prefix)");
          }
          std::cerr << "evalq kld: warning: vocabulary sizes differ (" << base_vocab << " vs " << quant_vocab
                    << "); comparing the first " << vocab << " tokens, as ModelOpt does\n";
        }
        if (!o.save_base.empty()) {
          CacheHeader h;
          h.format = o.cache_format;
          h.top_k = o.cache_format == CacheFormat::TopK ? std::min(o.top_k, base_vocab) : 0;
          h.vocab = base_vocab;
          h.rows = total_rows(plan);
          h.fingerprints = fingerprints(*base);
          h.info = {{"model", base->path}, {"data", base->corpus.data_name}, {"method", window_method_name(base->spec.method)},
                    {"seq", base->spec.seq}, {"chunk", base->spec.chunk}};
          writer = std::make_unique<BaseCacheWriter>(o.save_base, h);
        }
      }
      const int64_t rows = quant ? std::min(wb.rows(), wq->rows()) : wb.rows();
      WindowSums ws;
      for (int64_t i = 0; i < wb.rows(); ++i) {
        const int64_t r = wb.row_begin + i;
        // The base's target (-1: none, or the base comes from the cache, which stores its own).
        const int64_t target_b = base && wb.begin + r + 1 < wb.end ? base->corpus.ids[wb.begin + r + 1] : -1;
        if (target_b >= 0) require_in_vocab(target_b, wb.begin + r + 1, vocab);
        if (writer) writer->write(base_logits.data<float>() + i * base_vocab, target_b);
        if (!quant || i >= rows) continue;
        BaseDistribution bd = base ? base_from_logits(base_logits.data<float>() + i * base_vocab, vocab, target_b)
                                   : reader->next();
        const float* q = quant_logits.data<float>() + i * quant_vocab;
        const RowStats qs = row_stats(q, vocab);
        const double kl = kl_divergence(bd, q, qs.log_sum_exp, vocab);
        ws.kld.add(kl);
        kld_values.push_back(kl);
        if (modelopt_kld) ws.abs_div += modelopt_abs_divergence(bd, q, qs.log_sum_exp, vocab);
        ws.same_top += qs.argmax == bd.argmax;
        const int64_t rq = wq->row_begin + i;
        const bool has_target = wq->begin + rq + 1 < wq->end && !std::isnan(bd.target_log_prob);
        if (has_target) {
          const int64_t target_q = quant->corpus.ids[wq->begin + rq + 1];
          require_in_vocab(target_q, wq->begin + rq + 1, vocab);
          const double nq = -log_prob(q, qs, target_q);
          const double nb = -bd.target_log_prob;
          ws.nll_q.add(nq);
          ws.nll_b.add(nb);
          ws.nll_cross += nq * nb;
          const double dp = std::exp(-nq) - std::exp(-nb);
          ws.dp.add(dp);
          ws.dp4 += dp * dp * dp * dp;
          dp_values.push_back(dp);
        }
      }
      if (quant) {
        nlohmann::json w = ws.to_json();
        w["begin"] = wb.begin;
        w["end"] = wb.end;
        window_states.push_back(std::move(w));
        run_kld += ws.kld.sum;
        run_rows += ws.kld.n;
      }
      progress.advance(wb.rows(), quant ? "KLD " + fmt("%.6f", run_rows ? run_kld / run_rows : 0.0) : "saving base");
    }
    progress.finish(quant ? "KLD " + fmt("%.6f", run_rows ? run_kld / run_rows : 0.0) : "base saved");
    if (writer) writer->close();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const Side& ref = base ? *base : *quant;
    nlohmann::json run = {
        {"metric", "kld"},
        {"base", base ? nlohmann::json(base->path) : nlohmann::json(o.base_cache)},
        {"base_from_cache", from_cache},
        {"method", window_method_name(ref.spec.method)},
        {"seq", ref.spec.seq},
        {"chunk", ref.spec.chunk},
        {"data", ref.corpus.data_name},
        {"data_sha256", ref.corpus.text_sha256},
        {"bos", bos_policy_name(o.common.bos)},
        {"windows", n_windows},
    };
    if (reader) {
      run["base_cache"] = {{"format", cache_format_name(reader->header().format)}, {"top_k", reader->header().top_k},
                           {"info", reader->header().info}};
    }
    if (!o.save_base.empty()) {
      run["saved_base"] = {{"file", o.save_base}, {"format", cache_format_name(o.cache_format)},
                           {"top_k", o.cache_format == CacheFormat::TopK ? o.top_k : 0}, {"rows", total_rows(plan)}};
    }
    if (quant) {
      run["quant"] = quant->path;
      run["numerics"] = numerics_name(quant->model->options().numerics);
      run["quant_sim"] = engine_summary(*quant->model)["sim"];
      run["base_sim"] = base ? engine_summary(*base->model)["sim"] : nlohmann::json(nullptr);
    }
    // Identity only: checked by merge, dropped from the result.
    run["fingerprints"] = {{"options", identity_options(request.options, {"data_dir"})},
                           {"reference", fingerprints(ref)},
                           {"candidate", quant ? fingerprints(*quant) : nlohmann::json(nullptr)},
                           {"modelopt_kld", modelopt_kld}};
    nlohmann::json state = {{"seconds", seconds}, {"window_states", window_states}, {"kld_values", kld_values},
                            {"dp_values", dp_values}};
    return make_partial("kld", shard, run, state);
  }

  nlohmann::json finalize(const std::vector<nlohmann::json>& parts) const override {
    nlohmann::json result = parts.front()["run"];
    const bool modelopt_kld = result["fingerprints"]["modelopt_kld"].get<bool>();
    result.erase("fingerprints");
    double seconds = 0;
    for (const nlohmann::json& p : parts) seconds += p["state"]["seconds"].get<double>();
    result["seconds"] = seconds;
    if (!result.contains("quant")) return result;

    // Totals: window sums added in window order (parts come sorted by shard, each in window order).
    Moments kld, nll_q, nll_b, dp;
    double nll_cross = 0, dp4 = 0;
    int64_t same_top = 0;
    std::vector<double> w_kld, w_rows, w_lnratio, w_targets, w_same_top, w_abs_mean, kld_values, dp_values;
    nlohmann::json wrows = nlohmann::json::array();
    for (const nlohmann::json& p : parts) {
      const nlohmann::json& st = p["state"];
      for (const nlohmann::json& w : st["window_states"]) {
        const Moments wk = moments(w, "kld_sum", "kld_sum2", "rows");
        const Moments wq = moments(w, "nll_q_sum", "nll_q_sum2", "targets");
        const Moments wb = moments(w, "nll_b_sum", "nll_b_sum2", "targets");
        add_moments(kld, wk);
        add_moments(nll_q, wq);
        add_moments(nll_b, wb);
        add_moments(dp, moments(w, "dp_sum", "dp_sum2", "targets"));
        nll_cross += w["nll_cross"].get<double>();
        dp4 += w["dp4"].get<double>();
        same_top += w["same_top"].get<int64_t>();
        w_kld.push_back(wk.sum);
        w_rows.push_back(static_cast<double>(wk.n));
        w_lnratio.push_back(wq.sum - wb.sum);
        w_targets.push_back(static_cast<double>(wq.n));
        w_same_top.push_back(w["same_top"].get<double>());
        if (modelopt_kld) w_abs_mean.push_back(wk.n ? w["abs_div_sum"].get<double>() / static_cast<double>(wk.n) : 0.0);
        wrows.push_back({{"begin", w["begin"]}, {"end", w["end"]}, {"kld_sum", wk.sum}, {"n", static_cast<double>(wk.n)},
                         {"nll_base_sum", wb.sum}, {"nll_quant_sum", wq.sum}, {"targets", static_cast<double>(wq.n)},
                         {"same_top", w_same_top.back()}});
      }
      for (const nlohmann::json& v : st["kld_values"]) kld_values.push_back(v.get<double>());
      for (const nlohmann::json& v : st["dp_values"]) dp_values.push_back(v.get<double>());
    }
    const int64_t compared = kld.n;
    if (compared == 0) throw Error("no positions were compared; use more data");
    result["tokens_per_second"] = seconds > 0 ? static_cast<double>(compared) / seconds : 0.0;
    result["positions_compared"] = compared;
    result["tokens_scored"] = nll_q.n;
    result["kld"] = kld_summary(kld_values, kld);
    const Estimate kld_jack = jackknife_ratio(w_kld, w_rows);
    result["kld"]["stderr_jackknife"] = kld_jack.stderr_;
    const double same = static_cast<double>(same_top) / static_cast<double>(compared);
    result["top1_agreement"] = same;
    result["top1_agreement_stderr"] = compared > 1 ? std::sqrt(same * (1 - same) / (compared - 1)) : 0.0;
    result["top1_agreement_stderr_jackknife"] = jackknife_ratio(w_same_top, w_rows).stderr_;
    if (nll_q.n > 0) {
      const Estimate eq = mean_and_stderr(nll_q), eb = mean_and_stderr(nll_b);
      const double cov = covariance_of_means(nll_q.sum, nll_b.sum, nll_cross, nll_q.n);
      const double ppl_q = std::exp(eq.value), ppl_b = std::exp(eb.value);
      const double ln_ratio = eq.value - eb.value;
      const double ln_ratio_se = std::sqrt(std::max(0.0, eq.stderr_ * eq.stderr_ + eb.stderr_ * eb.stderr_ - 2 * cov));
      const Estimate ln_jack = jackknife_ratio(w_lnratio, w_targets);
      const double uq = ppl_q * eq.stderr_, ub = ppl_b * eb.stderr_;
      result["ppl_base"] = ppl_b;
      result["ppl_base_pm_naive"] = ub;
      result["ppl_quant"] = ppl_q;
      result["ppl_quant_pm_naive"] = uq;
      result["ln_ppl_ratio"] = ln_ratio;
      result["ln_ppl_ratio_stderr"] = ln_ratio_se;
      result["ln_ppl_ratio_stderr_jackknife"] = ln_jack.stderr_;
      result["ppl_ratio"] = std::exp(ln_ratio);
      result["ppl_ratio_stderr"] = std::exp(ln_ratio) * ln_ratio_se;
      result["delta_ppl"] = ppl_q - ppl_b;
      result["delta_ppl_stderr"] = std::sqrt(std::max(0.0, uq * uq + ub * ub - 2 * ppl_q * ppl_b * cov));
      result["nll_correlation"] = pearson(nll_q, nll_b, nll_cross);
      result["delta_p"] = delta_p_summary(dp_values, dp, dp4);
    }
    if (modelopt_kld) {
      double total = 0;
      for (double m : w_abs_mean) total += m;
      result["modelopt_kld"] = {{"definition", "sum_v p*|log p - log q| per position, mean per window, unweighted mean of windows"},
                                {"total", total},
                                {"average", total / static_cast<double>(w_abs_mean.size())},
                                {"window_means", w_abs_mean}};
    }
    result["window_results"] = wrows;
    return result;
  }

  std::string render_table(const nlohmann::json& r) const override {
    std::ostringstream out;
    char line[256];
    out << "base: " << r["base"].get<std::string>() << (r["base_from_cache"].get<bool>() ? " (cache)" : "") << "\n";
    if (r.contains("saved_base")) out << "saved base logits: " << r["saved_base"]["file"].get<std::string>() << "\n";
    if (!r.contains("quant")) return out.str();
    auto sim_note = [](const nlohmann::json& sim) {
      return sim.is_null() ? std::string() : " (simulated: --sim " + sim["spec"].get<std::string>() + ")";
    };
    if (!r["base_sim"].is_null()) out << "base simulated:" << sim_note(r["base_sim"]) << "\n";
    out << "quant: " << r["quant"].get<std::string>() << sim_note(r["quant_sim"]) << "\n";
    std::snprintf(line, sizeof line, "method %s, seq %lld, %lld windows, %lld positions compared, %lld tokens scored\n",
                  r["method"].get<std::string>().c_str(), static_cast<long long>(r["seq"].get<int64_t>()),
                  static_cast<long long>(r["windows"].get<int64_t>()),
                  static_cast<long long>(r["positions_compared"].get<int64_t>()),
                  static_cast<long long>(r["tokens_scored"].get<int64_t>()));
    out << line;
    auto row = [&](const std::string& label, double v, double pm = -1) {
      // Pad by displayed characters: UTF-8 continuation bytes (Δ, ±) take no column.
      size_t width = 0;
      for (unsigned char ch : label) width += (ch & 0xC0) != 0x80;
      out << label << std::string(width < 34 ? 34 - width : 1, ' ');
      if (pm >= 0) {
        std::snprintf(line, sizeof line, "%14.6f ± %.6f\n", v, pm);
      } else {
        std::snprintf(line, sizeof line, "%14.6f\n", v);
      }
      out << line;
    };
    if (r.contains("ppl_base")) {
      row("Mean PPL(base)", r["ppl_base"], r["ppl_base_pm_naive"]);
      row("Mean PPL(Q)", r["ppl_quant"], r["ppl_quant_pm_naive"]);
      row("Cor(ln(PPL(Q)), ln(PPL(base)))", r["nll_correlation"]);
      row("Mean ln(PPL(Q)/PPL(base))", r["ln_ppl_ratio"], r["ln_ppl_ratio_stderr"]);
      row("  stderr, window jackknife", r["ln_ppl_ratio_stderr_jackknife"]);
      row("Mean PPL(Q)/PPL(base)", r["ppl_ratio"], r["ppl_ratio_stderr"]);
      row("Mean PPL(Q)-PPL(base)", r["delta_ppl"], r["delta_ppl_stderr"]);
    }
    const auto& k = r["kld"];
    row("Mean KLD", k["mean"], k["stderr"]);
    row("  stderr, window jackknife", k["stderr_jackknife"]);
    row("Maximum KLD", k["max"]);
    row("99.9% KLD", k["p99_9"]);
    row("99.0% KLD", k["p99"]);
    row("95.0% KLD", k["p95"]);
    row("90.0% KLD", k["p90"]);
    row("Median KLD", k["median"]);
    row("10.0% KLD", k["p10"]);
    row("5.0% KLD", k["p5"]);
    row("1.0% KLD", k["p1"]);
    row("0.1% KLD", k["p0_1"]);
    row("Minimum KLD", k["min"]);
    if (r.contains("delta_p")) {
      const auto& d = r["delta_p"];
      row("Mean Δp (%)", 100 * d["mean"].get<double>(), 100 * d["stderr"].get<double>());
      row("RMS Δp (%)", 100 * d["rms"].get<double>(), 100 * d["rms_stderr"].get<double>());
      for (const char* key : {"max", "p99_9", "p99", "p95", "p90", "p75", "median", "p25", "p10", "p5", "p1", "p0_1", "min"}) {
        row(std::string("  Δp ") + key + " (%)", 100 * d[key].get<double>());
      }
    }
    row("Same top p (%)", 100 * r["top1_agreement"].get<double>(), 100 * r["top1_agreement_stderr"].get<double>());
    if (r.contains("modelopt_kld")) row("ModelOpt KLD (abs, mean of windows)", r["modelopt_kld"]["average"]);
    return out.str();
  }
};

}  // namespace

EVALQ_REGISTER_METRIC("kld", KldMetric);

}  // namespace evalq
