#include <evalq/error.h>
#include <evalq/model_info.h>
#include <evalq/sim.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/json_file.h"

namespace evalq::cli {
namespace {

nlohmann::json spec_json(const TensorSpec& s) {
  nlohmann::json dims = nlohmann::json::array();
  for (size_t i = 0; i < s.dims.size(); ++i) {
    if (s.dims[i] >= 0) dims.push_back(s.dims[i]);
    else dims.push_back(s.symbols[i].empty() ? "?" : s.symbols[i]);
  }
  return {{"name", s.name}, {"dtype", dtype_name(s.dtype)}, {"shape", s.has_shape ? dims : nlohmann::json()}};
}

// "MatMulNBits int4 block 32 sym, acc-level 4: 35 layers; float32: /lm_head/MatMul".
std::string quantization_summary(const std::vector<LinearLayerInfo>& layers) {
  std::map<std::string, std::vector<std::string>> by_format;
  std::vector<std::string> order;
  for (const auto& l : layers) {
    if (!by_format.count(l.format)) order.push_back(l.format);
    by_format[l.format].push_back(l.node);
  }
  std::string s;
  for (const auto& f : order) {
    const auto& nodes = by_format[f];
    s += (s.empty() ? "" : "; ") + f + ": ";
    if (nodes.size() <= 2) {
      for (size_t i = 0; i < nodes.size(); ++i) s += (i ? ", " : "") + nodes[i];
    } else {
      s += std::to_string(nodes.size()) + " layers";
    }
  }
  return s.empty() ? "no linear layers" : s;
}

nlohmann::json info_json(const ModelInfo& info) {
  nlohmann::json j;
  j["model"] = info.onnx_path.string();
  j["format"] = info.format;
  j["producer"] = info.producer;
  j["ir_version"] = info.ir_version;
  for (const auto& [d, v] : info.opsets) j["opsets"][d.empty() ? "ai.onnx" : d] = v;
  for (const auto& s : info.inputs) j["inputs"].push_back(spec_json(s));
  for (const auto& s : info.outputs) j["outputs"].push_back(spec_json(s));
  j["op_histogram"] = info.op_histogram;
  int64_t total = 0;
  for (const auto& [dtype, p] : info.parameters) {
    j["parameters"][dtype] = {{"tensors", p.tensors}, {"elements", p.elements}, {"bytes", p.bytes}};
    total += p.elements;
  }
  j["parameter_count"] = total;
  if (info.llm) {
    const auto& l = *info.llm;
    j["kv_cache"] = {{"layers", l.layers()}, {"kv_heads", l.kv_heads}, {"head_size", l.head_size},
                     {"dtype", dtype_name(l.kv_dtype)}, {"layout", l.combined_kv ? "[2 (key, value), batch, kv_heads, length, head_size] per layer"
                                             : "[batch, kv_heads, length, head_size]"}};
    nlohmann::json tokens = {{"context_length", l.context_length}, {"vocab_size", l.vocab_size}, {"eos_ids", l.eos_ids}};
    tokens["bos_id"] = l.bos_id ? nlohmann::json(*l.bos_id) : nlohmann::json();
    tokens["pad_id"] = l.pad_id ? nlohmann::json(*l.pad_id) : nlohmann::json();
    j["llm"] = tokens;
  } else {
    j["not_llm_reason"] = info.not_llm_reason;
  }
  j["unsupported_ops"] = info.unsupported_ops;
  j["linear_layers"] = nlohmann::json::array();
  for (const auto& l : info.linear_layers) {
    j["linear_layers"].push_back({{"node", l.node}, {"format", l.format}, {"K", l.K}, {"N", l.N}});
  }
  j["quantization_summary"] = quantization_summary(info.linear_layers);
  return j;
}

nlohmann::json sim_json(const SimReport& r) {
  nlohmann::json j = {{"spec", r.spec}, {"quantized", r.quantized_count()}, {"warnings", r.warnings}};
  j["decisions"] = nlohmann::json::array();
  for (const auto& d : r.decisions) {
    j["decisions"].push_back({{"node", d.node}, {"weight", d.weight}, {"K", d.K}, {"N", d.N},
                              {"layer", d.layer ? nlohmann::json(*d.layer) : nlohmann::json()},
                              {"lm_head", d.lm_head}, {"rule", d.rule}, {"rule_text", d.rule_text},
                              {"format", d.format}});
  }
  return j;
}

void print_sim(const nlohmann::json& s) {
  std::cout << "--sim " << s["spec"].get<std::string>() << " (dry run): " << s["quantized"] << " of "
            << s["decisions"].size() << " linear weights quantized\n";
  for (const auto& d : s["decisions"]) {
    std::string rule = d["rule"].get<int>() < 0 ? std::string("no rule") : "rule " + std::to_string(d["rule"].get<int>() + 1);
    std::cout << "  " << d["node"].get<std::string>() << " [" << d["K"] << "x" << d["N"] << "]  " << rule << ": "
              << d["format"].get<std::string>() << "\n";
  }
  for (const auto& w : s["warnings"]) std::cout << "warning: " << w.get<std::string>() << "\n";
}

std::string dims_text(const nlohmann::json& shape) {
  if (shape.is_null()) return "[?]";
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i].is_string() ? shape[i].get<std::string>() : std::to_string(shape[i].get<int64_t>());
  }
  return s + "]";
}

void print_info(const nlohmann::json& j) {
  std::cout << "model:      " << j["model"].get<std::string>() << "\n"
            << "format:     " << j["format"].get<std::string>() << "\n"
            << "producer:   " << j["producer"].get<std::string>() << " (ir_version " << j["ir_version"] << ")\n"
            << "opsets:    ";
  for (const auto& [d, v] : j["opsets"].items()) std::cout << " " << d << "=" << v;
  std::cout << "\ninputs:\n";
  for (const auto& s : j["inputs"]) {
    std::cout << "  " << s["name"].get<std::string>() << "  " << s["dtype"].get<std::string>() << " "
              << dims_text(s["shape"]) << "\n";
  }
  std::cout << "outputs:\n";
  for (const auto& s : j["outputs"]) {
    std::cout << "  " << s["name"].get<std::string>() << "  " << s["dtype"].get<std::string>() << " "
              << dims_text(s["shape"]) << "\n";
  }
  std::cout << "parameters: " << j["parameter_count"] << " elements\n";
  for (const auto& [dtype, p] : j["parameters"].items()) {
    std::cout << "  " << dtype << ": " << p["elements"] << " elements in " << p["tensors"] << " tensors, "
              << p["bytes"] << " bytes\n";
  }
  if (j.contains("kv_cache")) {
    const auto& kv = j["kv_cache"];
    std::cout << "kv cache:   " << kv["layers"] << " layers x " << kv["kv_heads"] << " kv heads x head size "
              << kv["head_size"] << ", " << kv["dtype"].get<std::string>() << " " << kv["layout"].get<std::string>()
              << "\n";
    const auto& l = j["llm"];
    auto id = [](const nlohmann::json& v) { return v.is_null() ? std::string("-") : v.dump(); };
    std::cout << "llm:        context " << (l["context_length"] == 0 ? std::string("unknown") : l["context_length"].dump())
              << ", vocab " << l["vocab_size"] << ", bos " << id(l["bos_id"]) << ", eos " << l["eos_ids"].dump()
              << ", pad " << id(l["pad_id"]) << "\n";
  } else {
    std::cout << "not an LLM: " << j["not_llm_reason"].get<std::string>() << "\n";
  }
  std::cout << "linear layers: " << j["quantization_summary"].get<std::string>() << "\n";
  std::cout << "operators:\n";
  for (const auto& [op, n] : j["op_histogram"].items()) std::cout << "  " << op << ": " << n << "\n";
  if (j["unsupported_ops"].empty()) {
    std::cout << "unsupported operators: none\n";
  } else {
    std::cout << "unsupported operators:\n";
    for (const auto& u : j["unsupported_ops"]) std::cout << "  " << u.get<std::string>() << "\n";
  }
}

CommandRun setup(CLI::App& sub) {
  auto model = std::make_shared<std::string>();
  auto json_path = std::make_shared<std::string>();
  auto sim = std::make_shared<std::string>();
  sub.add_option("MODEL", *model, "A .onnx file or a folder holding model.onnx")->required();
  sub.add_option("--json", *json_path, "Also write the report as JSON to this file");
  sub.add_option("--sim", *sim, "Show which rule of this fake-quantization spec hits which linear weight (dry run)");
  return [=] {
    nlohmann::json j = info_json(inspect_model(*model));
    print_info(j);
    if (!sim->empty()) {
      j["sim"] = sim_json(preview_sim(*model, *sim));
      print_sim(j["sim"]);
    }
    if (!json_path->empty()) {
      write_json(j, *json_path);
    }
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(info, "Describe a model: format, inputs/outputs, operators, parameters, KV cache", setup);

}  // namespace evalq::cli
