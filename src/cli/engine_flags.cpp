#include "cli/engine_flags.h"

#include "metric.h"

namespace evalq::cli {

std::shared_ptr<EngineFlags> add_engine_flags(CLI::App& sub) {
  auto flags = std::make_shared<EngineFlags>();
  sub.add_option("--numerics", flags->numerics,
                 "Arithmetic to reproduce: model (what the graph says), ort-cpu (also ONNX Runtime CPU's "
                 "numerics-changing rewrites), exact (dequantized weights, fp32 activations)")
      ->capture_default_str();
  sub.add_option("--sim", flags->sim,
                 "Simulate quantization of the model's linear weights, e.g. int4:block=128 (see docs/sim.md)");
  return flags;
}

EngineOptions engine_options(const EngineFlags& flags) {
  EngineOptions options;
  options.numerics = parse_numerics(flags.numerics);
  options.sim = flags.sim;
  return options;
}

std::shared_ptr<const Model> load_model(const std::string& path, const EngineOptions& options) {
  return load_spec_model({path, options});
}

}  // namespace evalq::cli
