#pragma once

#include <evalq/options.h>
#include <evalq/sim.h>
#include <evalq/tensor.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace evalq {

// A graph input or output as the model declares it; dims are -1 where symbolic.
struct TensorSpec {
  std::string name;
  DType dtype = DType::Undefined;
  std::vector<int64_t> dims;
  std::vector<std::string> symbols;  // the symbolic name of each dim, "" when fixed
  bool has_shape = false;
};

// How a decoder-only LLM's graph is fed: which inputs exist and the KV-cache layout.
struct LlmLayout {
  std::string input_ids;
  std::string attention_mask;     // empty when absent
  std::string position_ids;       // empty when absent
  std::string use_cache_branch;   // optimum merged decoders
  std::string logits;
  std::vector<std::string> past_keys, past_values;        // per layer
  std::vector<std::string> present_keys, present_values;  // per layer
  // GPT-2 style combined KV: past_keys/present_keys name one [2, batch, kv_heads, length,
  // head_size] tensor per layer (keys, then values) and past_values/present_values are empty.
  bool combined_kv = false;
  DType kv_dtype = DType::Float32;
  int64_t kv_heads = 0;
  int64_t head_size = 0;
  int64_t vocab_size = 0;        // 0 when the logits dim is symbolic
  int64_t context_length = 0;    // 0 when unknown
  std::optional<int64_t> bos_id, pad_id;
  std::vector<int64_t> eos_ids;
  int64_t layers() const { return static_cast<int64_t>(past_keys.size()); }
  bool has_kv_cache() const { return !past_keys.empty(); }
};

class CompiledGraph;
struct OnnxModel;

// A loaded, compiled ONNX model. Immutable and shareable between threads; run it through a
// Session. `path` is a .onnx file or a folder holding model.onnx (and, for Model Builder
// folders, genai_config.json).
class Model {
 public:
  static std::shared_ptr<const Model> load(const std::filesystem::path& path, const EngineOptions& options = {});
  ~Model();

  const std::filesystem::path& onnx_path() const { return onnx_path_; }
  // The folder with the model's side files (tokenizer.json, genai_config.json, config.json).
  std::filesystem::path folder() const { return onnx_path_.parent_path(); }
  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }
  // Throws evalq::Error when the graph is not a decoder-only LLM evalq can feed.
  const LlmLayout& llm() const;
  bool is_llm() const { return llm_.has_value(); }
  const EngineOptions& options() const { return options_; }
  const CompiledGraph& graph() const { return *graph_; }
  // True when the compiled graph takes the rows to compute logits for (see Session::forward);
  // that extra input is not listed in inputs().
  bool selects_logit_rows() const { return selects_logit_rows_; }
  // What options().sim did to each linear weight; empty when no simulation was asked for.
  const SimReport& sim_report() const { return sim_report_; }

 private:
  Model() = default;
  std::filesystem::path onnx_path_;
  EngineOptions options_;
  std::vector<TensorSpec> inputs_, outputs_;
  std::optional<LlmLayout> llm_;
  std::string llm_error_;
  bool selects_logit_rows_ = false;
  SimReport sim_report_;
  std::unique_ptr<CompiledGraph> graph_;
};

// Resolves a MODEL argument: a .onnx file, or a folder containing model.onnx (or exactly one
// .onnx file). Throws evalq::Error saying what was looked for.
std::filesystem::path resolve_model_path(const std::filesystem::path& path);

}  // namespace evalq
