#include <evalq/error.h>
#include <evalq/model.h>

#include "exec/compiled_graph.h"
#include "graph/logit_rows.h"
#include "graph/numerics_rewrite.h"
#include "graph/sim_quantize.h"
#include "io/onnx_loader.h"
#include "model/llm_layout.h"
#include "model/model_config.h"

namespace evalq {

namespace fs = std::filesystem;

fs::path resolve_model_path(const fs::path& path) {
  if (!fs::exists(path)) throw Error("model path " + path.string() + " does not exist");
  if (!fs::is_directory(path)) return path;
  // A Model Builder folder names its graph in genai_config.json.
  ModelConfig config = read_model_config(path);
  if (!config.onnx_filename.empty()) {
    if (!fs::exists(path / config.onnx_filename)) {
      throw Error(config.source.string() + ": model.decoder.filename '" + config.onnx_filename + "' does not exist in " +
                  path.string());
    }
    return path / config.onnx_filename;
  }
  if (fs::exists(path / "model.onnx")) return path / "model.onnx";
  std::vector<fs::path> candidates;
  for (const auto& e : fs::directory_iterator(path)) {
    if (e.path().extension() == ".onnx") candidates.push_back(e.path());
  }
  if (candidates.size() == 1) return candidates[0];
  throw Error("folder " + path.string() + " holds " + std::to_string(candidates.size()) +
              " .onnx files and no model.onnx: name the model file directly");
}

std::shared_ptr<const Model> Model::load(const fs::path& path, const EngineOptions& options) {
  std::shared_ptr<Model> model(new Model());
  model->onnx_path_ = resolve_model_path(path);
  model->options_ = options;
  OnnxModel onnx = load_onnx(model->onnx_path_);

  GraphLayout layout = graph_layout(*onnx.graph, model->onnx_path_);
  model->inputs_ = std::move(layout.inputs);
  model->outputs_ = std::move(layout.outputs);
  model->llm_ = std::move(layout.llm);
  model->llm_error_ = std::move(layout.not_llm_reason);
  if (!options.sim.empty()) {
    model->sim_report_ = apply_sim_spec(*onnx.graph, parse_sim_spec(options.sim), model->llm_ ? model->llm_->logits : "");
  }
  apply_numerics(*onnx.graph, options.numerics);
  if (model->llm_) model->selects_logit_rows_ = select_logit_rows(*onnx.graph, model->llm_->logits);

  auto unsupported = find_unsupported_ops(*onnx.graph);
  if (!unsupported.empty()) {
    std::string msg = model->onnx_path_.string() + " uses operators evalq does not support:";
    for (const auto& u : unsupported) msg += "\n  " + u;
    throw Error(msg);
  }
  model->graph_ = std::make_unique<CompiledGraph>(onnx.graph, model->options_);
  return model;
}

Model::~Model() = default;

const LlmLayout& Model::llm() const {
  if (!llm_) throw Error(onnx_path_.string() + ": " + llm_error_);
  return *llm_;
}

}  // namespace evalq
