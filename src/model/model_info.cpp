#include <evalq/model_info.h>

#include <deque>

#include "exec/compiled_graph.h"
#include "io/onnx_loader.h"
#include "graph/sim_quantize.h"
#include "model/linear_layers.h"
#include "model/llm_layout.h"

namespace evalq {

namespace fs = std::filesystem;

namespace {


std::string guess_format(const ModelInfo& info, const fs::path& folder) {
  std::string base;
  if (fs::exists(folder / "genai_config.json") || info.producer.rfind("onnxruntime-genai", 0) == 0) {
    base = "ONNX Runtime GenAI Model Builder";
  } else if (info.inputs.end() != std::find_if(info.inputs.begin(), info.inputs.end(),
                                                [](const TensorSpec& s) { return s.name == "use_cache_branch"; })) {
    base = "Optimum merged decoder (If on use_cache_branch)";
  } else if (info.llm) {
    base = "Optimum / torch.onnx export";
  } else {
    base = "ONNX model";
  }
  std::vector<std::string> quant;
  if (info.op_histogram.count("com.microsoft.MatMulNBits")) quant.push_back("MatMulNBits");
  if (info.op_histogram.count("DequantizeLinear")) quant.push_back("QDQ (DequantizeLinear)");
  if (info.op_histogram.count("MatMulInteger") || info.op_histogram.count("DynamicQuantizeLinear")) {
    quant.push_back("ORT dynamic int8");
  }
  for (const auto& q : quant) base += ", " + q;
  return base;
}

}  // namespace

ModelInfo inspect_model(const fs::path& path) {
  ModelInfo info;
  info.onnx_path = resolve_model_path(path);
  OnnxModel onnx = load_onnx(info.onnx_path);
  info.producer = onnx.producer_name + (onnx.producer_version.empty() ? "" : " " + onnx.producer_version);
  info.ir_version = onnx.ir_version;
  info.opsets = onnx.opsets;
  const Graph& g = *onnx.graph;
  GraphLayout layout = graph_layout(g, info.onnx_path);
  info.inputs = std::move(layout.inputs);
  info.outputs = std::move(layout.outputs);
  info.llm = std::move(layout.llm);
  info.not_llm_reason = std::move(layout.not_llm_reason);

  std::deque<const Graph*> todo{&g};
  while (!todo.empty()) {
    const Graph* graph = todo.front();
    todo.pop_front();
    for (const auto& v : graph->values) {
      if (!v.constant.defined()) continue;
      auto& p = info.parameters[dtype_name(v.constant.dtype())];
      ++p.tensors;
      p.elements += v.constant.numel();
      p.bytes += static_cast<int64_t>(v.constant.nbytes());
    }
    for (const auto& n : graph->nodes) {
      ++info.op_histogram[n.domain.empty() ? n.op_type : n.domain + "." + n.op_type];
      for (const auto& [_, a] : n.attributes) {
        if (a.kind == Attribute::Kind::Graph) todo.push_back(a.g.get());
      }
    }
  }
  info.unsupported_ops = find_unsupported_ops(g);
  info.linear_layers = linear_layers(g);
  info.format = guess_format(info, info.onnx_path.parent_path());
  return info;
}

SimReport preview_sim(const fs::path& path, const std::string& spec) {
  fs::path onnx_path = resolve_model_path(path);
  OnnxModel onnx = load_onnx(onnx_path);
  const auto llm = graph_layout(*onnx.graph, onnx_path).llm;
  return apply_sim_spec(*onnx.graph, parse_sim_spec(spec), llm ? llm->logits : "");
}

}  // namespace evalq
