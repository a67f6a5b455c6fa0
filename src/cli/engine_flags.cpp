#include "cli/engine_flags.h"

namespace evalq::cli {

std::shared_ptr<EngineFlags> add_engine_flags(CLI::App& sub) {
  auto flags = std::make_shared<EngineFlags>();
  sub.add_option("--numerics", flags->numerics,
                 "Arithmetic to reproduce: model (what the graph says), ort-cpu (also ONNX Runtime CPU's "
                 "numerics-changing rewrites), exact (dequantized weights, fp32 activations)")
      ->capture_default_str();
  return flags;
}

EngineOptions engine_options(const EngineFlags& flags) {
  EngineOptions options;
  options.numerics = parse_numerics(flags.numerics);
  return options;
}

}  // namespace evalq::cli
