#pragma once

#include <string>
#include <string_view>

namespace evalq {

// Which arithmetic the engine reproduces; printed in every report.
enum class Numerics {
  Model,   // what the graph says (MatMulNBits honours accuracy_level; DQ->MatMul in fp32)
  OrtCpu,  // also ONNX Runtime CPU's default-session rewrites that change numbers
  Exact,   // dequantized weights with fp32 activations everywhere (pure weight-quantization loss)
};

std::string numerics_name(Numerics n);
// Throws evalq::Error on an unknown name.
Numerics parse_numerics(std::string_view name);

struct EngineOptions {
  Numerics numerics = Numerics::Model;
  // A fake-quantization spec (docs/sim.md), e.g. "int4:block=128"; empty = run the model as stored.
  std::string sim;
};

}  // namespace evalq
