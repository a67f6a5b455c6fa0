#pragma once

#include <evalq/model.h>
#include <evalq/sim.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace evalq {

struct ParameterStats {
  int64_t tensors = 0;
  int64_t elements = 0;
  int64_t bytes = 0;
};

// One linear layer (MatMul/Gemm with a weight, or MatMulNBits) and how its weight is stored.
struct LinearLayerInfo {
  std::string node;
  std::string format;  // "fp32", "MatMulNBits int4 block 32 sym, acc-level 4", "QDQ int4 block 32 sym", ...
  int64_t K = 0, N = 0;
};

// What `evalq info` reports: read from the file without compiling it, so a model with
// unsupported operators can still be inspected.
struct ModelInfo {
  std::filesystem::path onnx_path;
  std::string format;  // best guess at the producing tool and layout
  std::string producer;
  int64_t ir_version = 0;
  std::map<std::string, int> opsets;
  std::vector<TensorSpec> inputs, outputs;
  std::map<std::string, int64_t> op_histogram;           // "domain.op" ("" domain printed bare)
  std::map<std::string, ParameterStats> parameters;      // by dtype name
  std::optional<LlmLayout> llm;
  std::string not_llm_reason;
  std::vector<std::string> unsupported_ops;
  std::vector<LinearLayerInfo> linear_layers;
};

ModelInfo inspect_model(const std::filesystem::path& path);

// A dry run of a --sim spec: which rule hits which linear weight, without compiling the model.
SimReport preview_sim(const std::filesystem::path& path, const std::string& spec);

}  // namespace evalq
