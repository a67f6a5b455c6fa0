#include <evalq/error.h>

#include "cli/command.h"
#include "cli/likelihood_flags.h"
#include "common/comma_list.h"
#include "compare/compare_table.h"

namespace evalq::cli {
namespace {

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::vector<std::string> models, sims;
    std::string metrics = "ppl,kld", numerics = "model", mmlu_data = "mmlu", subjects;
    int64_t shots = 5, limit = 0;
    bool markdown = false, csv = false;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("MODELS", o->models, "BASE, then the candidate models")->required();
  sub.add_option("--sim", o->sims, "Add a simulation of BASE as a candidate (repeatable; see docs/sim.md)");
  sub.add_option("--metrics", o->metrics, "Comma list of metrics: ppl, kld, mmlu")->capture_default_str();
  sub.add_option("--mmlu-data", o->mmlu_data, "MMLU folder or dataset name (--metrics mmlu)")->capture_default_str();
  sub.add_option("--shots", o->shots, "MMLU few-shot examples")->capture_default_str();
  sub.add_option("--subjects", o->subjects, "MMLU subjects, comma list (default: all)");
  sub.add_option("--limit", o->limit, "MMLU questions per subject (0 = all)")->capture_default_str();
  sub.add_option("--numerics", o->numerics, "Arithmetic to reproduce (as for ppl/kld)")->capture_default_str();
  auto* md = sub.add_flag("--md", o->markdown, "Print the table as Markdown");
  sub.add_flag("--csv", o->csv, "Print the table as CSV (an interval as lo/hi columns)")->excludes(md);
  auto flags = add_likelihood_flags(sub, "modelopt");
  return [o, flags] {
    EngineOptions engine;
    engine.numerics = parse_numerics(o->numerics);
    const ModelSpec base{o->models[0], engine};
    std::vector<CompareCandidate> candidates;
    for (size_t i = 1; i < o->models.size(); ++i) candidates.push_back({o->models[i], {o->models[i], engine}});
    for (const auto& spec : o->sims) {
      EngineOptions simulated = engine;
      simulated.sim = spec;
      candidates.push_back({o->models[0] + " --sim " + spec, {o->models[0], simulated}});
    }
    nlohmann::json mmlu = {{"data", o->mmlu_data}, {"shots", o->shots}, {"limit", o->limit}};
    if (!o->subjects.empty()) mmlu["subjects"] = o->subjects;
    if (!flags->data_dir.empty()) mmlu["data_dir"] = flags->data_dir;
    const nlohmann::json result =
        run_compare(base, candidates, split_comma_list(o->metrics), likelihood_options(*flags), mmlu);
    const CompareTable table = compare_table(result);
    const std::string text = o->markdown ? render_markdown(table) : o->csv ? render_csv(table) : render_aligned(table);
    emit_result(text, result, *flags);
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(compare, "Compare candidates (files or --sim simulations) with a base: PPL, its ratio, KLD, top-1, MMLU", setup);

}  // namespace evalq::cli
