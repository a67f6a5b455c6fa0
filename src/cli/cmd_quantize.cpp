// evalq quantize: writes the genuine quantized artifact of a --sim spec (MatMulNBits or
// DequantizeLinear ONNX with external data), so what was evaluated is what ships.
#include <evalq/error.h>
#include <evalq/model.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "graph/sim_quantize.h"
#include "io/onnx_loader.h"
#include "io/onnx_writer.h"
#include "model/llm_layout.h"

namespace fs = std::filesystem;

namespace evalq::cli {
namespace {

bool uses_blocked_dq(const Graph& g) {
  for (const auto& n : g.nodes) {
    if (n.domain.empty() && n.op_type == "DequantizeLinear" && n.attribute("block_size")) return true;
  }
  return false;
}

// Side files (tokenizer, configs) go along; the source graph and its data files do not.
void copy_side_files(const fs::path& from, const fs::path& to, const fs::path& onnx_path) {
  for (const auto& e : fs::directory_iterator(from)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (e.path().extension() == ".onnx" || e.path().extension() == ".data" ||
        name.rfind(onnx_path.filename().string(), 0) == 0) {
      continue;
    }
    fs::copy_file(e.path(), to / name, fs::copy_options::overwrite_existing);
    // Copies of read-only sources (a shared model store) must stay editable, like the model written.
    fs::permissions(to / name, fs::perms::owner_write, fs::perm_options::add);
  }
  fs::path genai = to / "genai_config.json";
  if (!fs::exists(genai)) return;
  nlohmann::json j = nlohmann::json::parse(std::ifstream(genai));
  if (j.contains("model") && j["model"].contains("decoder")) {
    j["model"]["decoder"]["filename"] = "model.onnx";
    std::ofstream file(genai);
    file << j.dump(4) << "\n";
    if (!file) throw Error(genai.string() + ": cannot write");
  }
}

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::string model, sim, out;
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("MODEL", o->model, "A .onnx file or a model folder")->required();
  sub.add_option("--sim", o->sim, "The quantization spec to apply (docs/sim.md)")->required();
  sub.add_option("--out", o->out, "Folder to write model.onnx, model.onnx.data and the side files into")->required();
  sub.add_flag("--force", o->force, "Overwrite a non-empty --out folder");
  return [o] {
    fs::path onnx_path = resolve_model_path(o->model);
    fs::path out(o->out);
    if (fs::exists(out) && !fs::is_empty(out) && !o->force) {
      throw Error("--out " + out.string() + " exists and is not empty (use --force to overwrite)");
    }
    if (fs::exists(out) && fs::equivalent(out, onnx_path.parent_path())) {
      throw Error("--out " + out.string() + " is the model's own folder");
    }
    OnnxModel model = load_onnx(onnx_path);
    const auto llm = graph_layout(*model.graph, onnx_path).llm;
    SimReport report = apply_sim_spec(*model.graph, parse_sim_spec(o->sim), llm ? llm->logits : "");
    for (const auto& w : report.warnings) std::cerr << "evalq: warning: " << w << "\n";
    if (uses_blocked_dq(*model.graph)) upgrade_ai_onnx_opset(model, 21);
    fs::create_directories(out);
    save_onnx(model, out / "model.onnx");
    copy_side_files(onnx_path.parent_path(), out, onnx_path);
    std::cout << "quantized " << report.quantized_count() << " of " << report.decisions.size()
              << " linear weights (" << o->sim << ") into " << (out / "model.onnx").string() << "\n";
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(quantize, "Write the quantized ONNX model a --sim spec describes", setup);

}  // namespace evalq::cli
