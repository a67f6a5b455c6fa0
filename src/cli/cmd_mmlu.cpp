#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/shard_flags.h"
#include "metric.h"

namespace evalq::cli {
namespace {

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::string model, quant, data = "mmlu", subjects, protocol = "lm-eval", json_out, dump, data_dir;
    int shots = 5;
    int64_t limit = 0, max_length = 0;
    bool no_prefix_reuse = false;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("MODEL", o->model, "The (base) model: a .onnx file or a folder holding model.onnx")->required();
  sub.add_option("QUANT", o->quant, "A quantized model to compare with MODEL on the same questions");
  sub.add_option("--data", o->data, "Folder with dev/ and test/ <subject>_{dev,test}.csv, or 'mmlu' (registry)");
  sub.add_option("--data-dir", o->data_dir, "Where registry datasets are looked up first");
  sub.add_option("--shots", o->shots, "Few-shot examples (first N dev rows)")->capture_default_str();
  sub.add_option("--subjects", o->subjects, "Comma-separated subjects (default: every test file)");
  sub.add_option("--limit", o->limit, "First N test questions of each subject (0 = all)");
  sub.add_option("--protocol", o->protocol, "lm-eval | hendrycks | modelopt")->capture_default_str();
  sub.add_option("--max-length", o->max_length, "Context length in tokens (default: the model's)");
  sub.add_flag("--no-prefix-reuse", o->no_prefix_reuse, "Run every question in full (reference path)");
  sub.add_option("--json", o->json_out, "Write the result document here");
  sub.add_option("--dump-prompts", o->dump, "Write DIR/<subject>.jsonl with every prompt as scored");
  auto engine = add_engine_flags(sub);
  auto shard = add_shard_flag(sub);
  return [o, engine, shard] {
    MetricRequest request;
    request.models.push_back({o->model, engine_options(*engine)});
    if (!o->quant.empty()) request.models.push_back({o->quant, engine_options(*engine)});
    request.options = {{"data", o->data},       {"data_dir", o->data_dir},   {"shots", o->shots},
                       {"subjects", o->subjects}, {"limit", o->limit},       {"protocol", o->protocol},
                       {"max_length", o->max_length}, {"prefix_reuse", !o->no_prefix_reuse}};
    if (!o->dump.empty()) request.options["dump_prompts"] = o->dump;
    auto metric = MetricRegistry::instance().create("mmlu");
    run_metric(*metric, request, *shard, o->json_out);
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(mmlu, "5-shot MMLU (lm-eval, hendrycks or modelopt protocol), optionally base vs quantized", setup);

}  // namespace evalq::cli
