#include <evalq/error.h>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/likelihood_flags.h"
#include "cli/shard_flags.h"
#include "metric.h"

namespace evalq::cli {
namespace {

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::vector<std::string> models;
    std::string save_base, base, cache_format = "topk", sim_a, sim_b;
    int64_t top_k = 128;
    bool allow_tokenizer_mismatch = false;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("MODELS", o->models, "BASE QUANT; BASE with --save-base; or QUANT with --base")->required();
  auto flags = add_likelihood_flags(sub, "modelopt");
  sub.add_option("--save-base", o->save_base, "Also write the base model's distributions to this cache file");
  sub.add_option("--base", o->base, "Read the base distributions from a cache file instead of running BASE");
  sub.add_option("--cache-format", o->cache_format, "Cache rows: topk (top-K + tail mass) or full-fp16")
      ->capture_default_str();
  sub.add_option("--top-k", o->top_k, "K for --cache-format topk")->capture_default_str();
  sub.add_flag("--allow-tokenizer-mismatch", o->allow_tokenizer_mismatch,
               "Let each model tokenize the data itself when the tokenizers differ (ModelOpt's behaviour)");
  auto engine = add_engine_flags(sub);
  auto shard = add_shard_flag(sub);
  sub.add_option("--sim-b", o->sim_b, "Simulate quantization of the candidate only (same grammar as --sim)");
  sub.add_option("--sim-a", o->sim_a, "Simulate quantization of the base only");
  return [o, flags, engine, shard] {
    MetricRequest request;
    // --sim simulates the candidate: `kld BASE --sim SPEC` compares BASE with its own simulated
    // twin; with two models it is the same as --sim-b.
    if (!engine->sim.empty() && !o->sim_b.empty()) throw Error("give --sim or --sim-b, not both");
    const std::string sim_b = !o->sim_b.empty() ? o->sim_b : engine->sim;
    EngineOptions plain = engine_options(*engine);
    plain.sim.clear();
    std::vector<std::string> paths = o->models;
    const bool one_model = paths.size() == 1;
    if (one_model && o->base.empty() && o->save_base.empty() && !sim_b.empty()) paths.push_back(paths[0]);
    for (size_t i = 0; i < paths.size(); ++i) {
      EngineOptions side = plain;
      const bool candidate = paths.size() == 2 ? i == 1 : !o->base.empty();
      side.sim = candidate ? sim_b : o->sim_a;
      if (!candidate && !o->sim_a.empty() && !o->base.empty()) throw Error("--sim-a has no effect with --base");
      request.models.push_back({paths[i], side});
    }
    request.options = likelihood_options(*flags);
    if (!o->save_base.empty()) request.options["save_base"] = o->save_base;
    if (!o->base.empty()) request.options["base"] = o->base;
    request.options["cache_format"] = o->cache_format;
    request.options["top_k"] = o->top_k;
    request.options["allow_tokenizer_mismatch"] = o->allow_tokenizer_mismatch;
    auto metric = MetricRegistry::instance().create("kld");
    run_metric(*metric, request, *shard, flags->json_out);
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(kld, "KL divergence of a candidate against its base model, with llama.cpp's statistics", setup);

}  // namespace evalq::cli
