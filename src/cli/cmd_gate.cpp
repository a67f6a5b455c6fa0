#include <evalq/error.h>

#include <iostream>

#include "cli/command.h"
#include "cli/json_file.h"
#include "cli/engine_flags.h"
#include "gate/gate_config.h"
#include "gate/gate_report.h"
#include "gate/gate_runner.h"
#include "gate/check_outcome.h"

namespace evalq::cli {
namespace {

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::string base, quant, config, report_dir, json_out, data_dir, base_cache, mmlu_base_cache;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("BASE", o->base, "The reference model")->required();
  sub.add_option("QUANT", o->quant, "The candidate (quantized) model")->required();
  sub.add_option("--config", o->config, "The gate config (JSON; see docs/gate.md)")->required();
  sub.add_option("--report", o->report_dir, "Write report.md and report.html into this folder");
  sub.add_option("--json", o->json_out, "Write the result document to this file");
  sub.add_option("--data-dir", o->data_dir, "Folder holding registry datasets (else $EVALQ_DATA_DIR, ~/.cache/evalq)");
  sub.add_option("--base-cache", o->base_cache,
                 "Base-logits cache: read when the file exists (same data and windows, written for BASE), else "
                 "written, so gating many candidates runs the base once (top-K cache: KLD within ~1e-5 nats)");
  sub.add_option("--mmlu-base-cache", o->mmlu_base_cache,
                 "File of the base's MMLU per-question results: reused when an entry's fingerprint (base model "
                 "files, numerics, check options) matches, else the base is scored and its results saved");
  auto engine = add_engine_flags(sub);
  sub.footer(
      "--sim simulates the candidate only. Exit status: 0 every check passed, 1 a check failed, 2 error "
      "(bad config, missing data, model error).");
  return [o, engine] {
    const nlohmann::json raw = read_gate_config(o->config);
    const GateConfig config = parse_gate_config(raw, o->config);
    EngineOptions plain = engine_options(*engine);
    plain.sim.clear();
    ModelSpec base{o->base, plain};
    ModelSpec quant{o->quant, engine_options(*engine)};
    GateRunOptions run;
    if (!o->data_dir.empty()) run.extra["data_dir"] = o->data_dir;
    run.base_cache = o->base_cache;
    run.mmlu_base_cache = o->mmlu_base_cache;
    nlohmann::json result = run_gate(config, base, quant, run);
    result["config_file"] = o->config;
    result["config"] = raw;
    if (!o->json_out.empty()) {
      write_json(result, o->json_out);
    }
    if (!o->report_dir.empty()) write_gate_report(result, o->report_dir);
    for (const auto& c : result["checks"]) std::cout << outcome_line(c) << "\n";
    std::cerr << "evalq gate: " << (gate_passed(result) ? "PASS" : "FAIL") << " (" << result["checks"].size()
              << " checks, rule " << result["decide"].get<std::string>() << ")\n";
    return gate_passed(result) ? 0 : 1;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(gate, "Decide whether a quantized model may ship: checks from a config, exit 0 pass / 1 fail / 2 error",
                  setup);

}  // namespace evalq::cli
