#include <evalq/error.h>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/likelihood_flags.h"
#include "metric.h"

namespace evalq::cli {
namespace {

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::vector<std::string> models;
    std::string save_base, base, cache_format = "topk";
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
  return [o, flags, engine] {
    MetricRequest request;
    for (const auto& m : o->models) request.models.push_back({m, engine_options(*engine)});
    request.options = likelihood_options(*flags);
    if (!o->save_base.empty()) request.options["save_base"] = o->save_base;
    if (!o->base.empty()) request.options["base"] = o->base;
    request.options["cache_format"] = o->cache_format;
    request.options["top_k"] = o->top_k;
    request.options["allow_tokenizer_mismatch"] = o->allow_tokenizer_mismatch;
    auto metric = MetricRegistry::instance().create("kld");
    const nlohmann::json result = metric->run(request);
    emit_result(metric->render_table(result), result, *flags);
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(kld, "KL divergence of a candidate against its base model, with llama.cpp's statistics", setup);

}  // namespace evalq::cli
