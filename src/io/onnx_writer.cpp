#include "io/onnx_writer.h"

#include <evalq/error.h>

#include <onnx/onnx_pb.h>

#include <fstream>
#include <set>

namespace evalq {
namespace {

namespace fs = std::filesystem;

constexpr size_t kExternalThreshold = 1024;
constexpr size_t kAlignment = 64;

class Writer {
 public:
  Writer(fs::path data_path) : data_path_(std::move(data_path)) {}

  void graph(const Graph& g, onnx::GraphProto& gp, bool top) {
    gp.set_name(g.name.empty() ? "main_graph" : g.name);
    std::set<int> written;
    auto write_constant = [&](int id) {
      if (id < 0 || written.count(id) || !g.values[id].constant.defined()) return;
      written.insert(id);
      tensor(g.values[id].constant, g.values[id].name, *gp.add_initializer(), top);
    };
    for (int id : g.inputs) value_info(g.values[id], *gp.add_input());
    for (int id : g.outputs) {
      value_info(g.values[id], *gp.add_output());
      write_constant(id);
    }
    for (const Node* n : topological(g)) {
      for (int id : n->inputs) write_constant(id);
      node(*n, g, *gp.add_node());
    }
  }

  void finish() {
    if (!data_.is_open()) return;
    data_.close();
    if (!data_) throw Error(data_path_.string() + ": write failed");
  }

 private:
  static std::vector<const Node*> topological(const Graph& g) {
    std::vector<bool> ready(g.values.size(), false);
    for (size_t id = 0; id < g.values.size(); ++id) ready[id] = g.values[id].constant.defined();
    for (int id : g.inputs) ready[id] = true;
    for (int id : g.outer_refs) ready[id] = true;
    std::vector<const Node*> order;
    std::vector<bool> done(g.nodes.size(), false);
    for (bool progress = true; progress;) {
      progress = false;
      for (size_t i = 0; i < g.nodes.size(); ++i) {
        if (done[i]) continue;
        bool ok = true;
        for (int in : g.nodes[i].inputs) ok = ok && (in < 0 || ready[in]);
        if (!ok) continue;
        done[i] = true;
        progress = true;
        order.push_back(&g.nodes[i]);
        for (int out : g.nodes[i].outputs) {
          if (out >= 0) ready[out] = true;
        }
      }
    }
    if (order.size() != g.nodes.size()) throw Error("cannot write graph '" + g.name + "': it has a cycle or a dangling input");
    return order;
  }

  static void value_info(const Value& v, onnx::ValueInfoProto& vi) {
    vi.set_name(v.name);
    if (v.dtype == DType::Undefined) return;
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(static_cast<int32_t>(v.dtype));
    if (!v.dims) return;
    auto* shape = tt->mutable_shape();
    for (const auto& d : *v.dims) {
      auto* dim = shape->add_dim();
      if (d.value >= 0) dim->set_dim_value(d.value);
      else if (!d.symbol.empty()) dim->set_dim_param(d.symbol);
    }
  }

  void tensor(const Tensor& t, const std::string& name, onnx::TensorProto& tp, bool external_allowed) {
    tp.set_name(name);
    tp.set_data_type(static_cast<int32_t>(t.dtype()));
    for (int64_t d : t.shape()) tp.add_dims(d);
    if (external_allowed && t.nbytes() >= kExternalThreshold) {
      if (!data_.is_open()) {
        data_.open(data_path_, std::ios::binary | std::ios::trunc);
        if (!data_) throw Error(data_path_.string() + ": cannot create");
      }
      size_t pad = (kAlignment - offset_ % kAlignment) % kAlignment;
      static const char zeros[kAlignment] = {};
      data_.write(zeros, static_cast<std::streamsize>(pad));
      offset_ += pad;
      data_.write(static_cast<const char*>(t.raw()), static_cast<std::streamsize>(t.nbytes()));
      tp.set_data_location(onnx::TensorProto::EXTERNAL);
      auto add = [&](const char* k, const std::string& v) {
        auto* e = tp.add_external_data();
        e->set_key(k);
        e->set_value(v);
      };
      add("location", data_path_.filename().string());
      add("offset", std::to_string(offset_));
      add("length", std::to_string(t.nbytes()));
      offset_ += t.nbytes();
      return;
    }
    tp.set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
  }

  void node(const Node& n, const Graph& g, onnx::NodeProto& np) {
    np.set_name(n.name);
    np.set_op_type(n.op_type);
    if (!n.domain.empty()) np.set_domain(n.domain);
    for (int in : n.inputs) np.add_input(in < 0 ? "" : g.values[in].name);
    for (int out : n.outputs) np.add_output(out < 0 ? "" : g.values[out].name);
    for (const auto& [name, a] : n.attributes) {
      auto* ap = np.add_attribute();
      ap->set_name(name);
      switch (a.kind) {
        case Attribute::Kind::Float: ap->set_type(onnx::AttributeProto::FLOAT); ap->set_f(a.f); break;
        case Attribute::Kind::Int: ap->set_type(onnx::AttributeProto::INT); ap->set_i(a.i); break;
        case Attribute::Kind::String: ap->set_type(onnx::AttributeProto::STRING); ap->set_s(a.s); break;
        case Attribute::Kind::Tensor:
          ap->set_type(onnx::AttributeProto::TENSOR);
          tensor(a.t, "", *ap->mutable_t(), false);
          break;
        case Attribute::Kind::Graph:
          ap->set_type(onnx::AttributeProto::GRAPH);
          graph(*a.g, *ap->mutable_g(), false);
          break;
        case Attribute::Kind::Floats:
          ap->set_type(onnx::AttributeProto::FLOATS);
          for (float f : a.floats) ap->add_floats(f);
          break;
        case Attribute::Kind::Ints:
          ap->set_type(onnx::AttributeProto::INTS);
          for (int64_t i : a.ints) ap->add_ints(i);
          break;
        case Attribute::Kind::Strings:
          ap->set_type(onnx::AttributeProto::STRINGS);
          for (const auto& s : a.strings) ap->add_strings(s);
          break;
      }
    }
  }

  fs::path data_path_;
  std::ofstream data_;
  size_t offset_ = 0;
};

void collect_domains(const Graph& g, std::set<std::string>& domains) {
  for (const auto& n : g.nodes) {
    domains.insert(n.domain);
    for (const auto& [_, a] : n.attributes) {
      if (a.kind == Attribute::Kind::Graph) collect_domains(*a.g, domains);
    }
  }
}

const std::set<std::string> kReduceOpsAxesInput18 = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                                                     "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
                                                     "ReduceSumSquare"};

void upgrade_graph(Graph& g, int from, int target) {
  for (auto& n : g.nodes) {
    if (n.domain.empty()) n.opset = target;
    for (auto& [_, a] : n.attributes) {
      if (a.kind == Attribute::Kind::Graph) upgrade_graph(*a.g, from, target);
    }
    if (!n.domain.empty() || from >= 18 || !kReduceOpsAxesInput18.count(n.op_type)) continue;
    auto it = n.attributes.find("axes");
    if (it == n.attributes.end()) continue;
    int id = g.add_constant(g.unused_name(n.name + "_axes"),
                            Tensor::from_vector(DType::Int64, {static_cast<int64_t>(it->second.ints.size())}, it->second.ints));
    n.inputs.resize(1);
    n.inputs.push_back(id);
    n.attributes.erase(it);
  }
}

}  // namespace

void upgrade_ai_onnx_opset(OnnxModel& model, int target) {
  int from = model.opsets.count("") ? model.opsets.at("") : 1;
  if (from >= target) return;
  if (from < 13) {
    throw Error(model.path + ": ai.onnx opset " + std::to_string(from) + " is too old to upgrade to " +
                std::to_string(target) + " (evalq rewrites opset 13 and later)");
  }
  upgrade_graph(*model.graph, from, target);
  model.opsets[""] = target;
}

void save_onnx(const OnnxModel& model, const fs::path& path) {
  onnx::ModelProto mp;
  mp.set_ir_version(std::max<int64_t>(model.ir_version, 10));
  mp.set_producer_name("evalq");
  mp.set_producer_version("0.1.0");
  std::set<std::string> domains;
  collect_domains(*model.graph, domains);
  for (const auto& [domain, version] : model.opsets) domains.erase(domain);
  std::map<std::string, int> opsets = model.opsets;
  for (const auto& d : domains) opsets[d] = 1;
  for (const auto& [domain, version] : opsets) {
    auto* op = mp.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  fs::path data_path = path;
  data_path += ".data";
  fs::remove(data_path);
  Writer writer(data_path);
  writer.graph(*model.graph, *mp.mutable_graph(), true);
  writer.finish();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !mp.SerializeToOstream(&out)) throw Error(path.string() + ": cannot write the model");
}

}  // namespace evalq
