#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/likelihood_flags.h"
#include "cli/shard_flags.h"
#include "metric.h"

namespace evalq::cli {
namespace {

CommandRun setup(CLI::App& sub) {
  auto model = std::make_shared<std::string>();
  sub.add_option("MODEL", *model, "A .onnx file or a folder holding model.onnx and tokenizer.json")->required();
  auto flags = add_likelihood_flags(sub, "modelopt");
  auto engine = add_engine_flags(sub);
  auto shard = add_shard_flag(sub);
  return [model, flags, engine, shard] {
    MetricRequest request;
    request.models.push_back({*model, engine_options(*engine)});
    request.options = likelihood_options(*flags);
    auto metric = MetricRegistry::instance().create("ppl");
    run_metric(*metric, request, *shard, flags->json_out);
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(ppl, "Perplexity over token windows (modelopt, hf or llamacpp protocol)", setup);

}  // namespace evalq::cli
