#include "exec/compiled_graph.h"

#include <algorithm>
#include <deque>
#include <set>
#include <unordered_set>

namespace evalq {

struct CompiledGraph::Step {
  const Node* node = nullptr;
  std::unique_ptr<OpKernel> kernel;
  std::map<std::string, std::unique_ptr<CompiledGraph>> subgraphs;
  std::vector<int> implicit_inputs;  // values of this graph read by the node's subgraphs
  std::vector<int> consumed;         // distinct values read (explicit and implicit)
};

namespace {

// Names a subgraph (and the subgraphs inside it) reads from enclosing scopes.
std::set<std::string> outer_names(const Graph& g) {
  std::set<std::string> names;
  for (int id : g.outer_refs) names.insert(g.values[id].name);
  std::unordered_set<std::string> local;
  for (int id : g.inputs) local.insert(g.values[id].name);
  for (const auto& v : g.values) {
    if (v.constant.defined()) local.insert(v.name);
  }
  for (const auto& n : g.nodes) {
    for (int id : n.outputs) {
      if (id >= 0) local.insert(g.values[id].name);
    }
  }
  for (const auto& n : g.nodes) {
    for (const auto& [_, attr] : n.attributes) {
      if (attr.kind != Attribute::Kind::Graph) continue;
      for (const auto& name : outer_names(*attr.g)) {
        if (!local.count(name)) names.insert(name);
      }
    }
  }
  return names;
}

// Ids (in `g`) of the values a node's subgraphs read from `g`.
std::vector<int> implicit_inputs_of(const Node& node, const Graph& g, const std::vector<bool>& defined) {
  std::set<int> ids;
  for (const auto& [_, attr] : node.attributes) {
    if (attr.kind != Attribute::Kind::Graph) continue;
    for (const auto& name : outer_names(*attr.g)) {
      auto id = g.find_value(name);
      if (id && *id < static_cast<int>(defined.size()) && defined[*id]) ids.insert(*id);
    }
  }
  return {ids.begin(), ids.end()};
}

bool foldable(const Node& node) {
  static const std::unordered_set<std::string> never = {"If", "Loop", "Scan", "DequantizeLinear", "QuantizeLinear",
                                                        "DynamicQuantizeLinear"};
  if (!node.domain.empty() || never.count(node.op_type)) return false;
  for (const auto& [_, attr] : node.attributes) {
    if (attr.kind == Attribute::Kind::Graph) return false;
  }
  return true;
}

// Folded outputs above this size are left to run time: folding must not duplicate weights.
constexpr size_t kMaxFoldedBytes = 4u << 20;

// Runs one kernel on constant inputs at load time.
class FoldContext : public KernelContext {
 public:
  FoldContext(const Node& node, const Graph& graph) : node_(node), graph_(graph), outputs_(node.outputs.size()) {}
  size_t input_count() const override { return node_.inputs.size(); }
  const Tensor* input(size_t i) const override {
    if (i >= node_.inputs.size() || node_.inputs[i] < 0) return nullptr;
    return &graph_.values[node_.inputs[i]].constant;
  }
  size_t output_count() const override { return outputs_.size(); }
  bool output_wanted(size_t i) const override { return i < node_.outputs.size() && node_.outputs[i] >= 0; }
  Tensor& allocate_output(size_t i, DType dtype, Shape shape) override {
    outputs_.at(i) = Tensor::empty(dtype, std::move(shape));
    return outputs_[i];
  }
  void set_output(size_t i, Tensor t) override { outputs_.at(i) = std::move(t); }
  std::vector<Tensor> run_subgraph(const CompiledGraph&) override {
    throw Error("node " + node_.describe() + ": subgraphs cannot be constant-folded");
  }
  const Node& node() const override { return node_; }
  std::vector<Tensor>& outputs() { return outputs_; }

 private:
  const Node& node_;
  const Graph& graph_;
  std::vector<Tensor> outputs_;
};

class StepContext : public KernelContext {
 public:
  StepContext(const Node& node, Frame& frame, BufferPool& pool, const std::vector<int>& use_counts,
              const std::vector<int>& remaining)
      : node_(node), frame_(frame), pool_(pool), use_counts_(use_counts), remaining_(remaining) {}
  size_t input_count() const override { return node_.inputs.size(); }
  const Tensor* input(size_t i) const override {
    if (i >= node_.inputs.size() || node_.inputs[i] < 0) return nullptr;
    return &frame_.values[node_.inputs[i]];
  }
  size_t output_count() const override { return node_.outputs.size(); }
  bool output_wanted(size_t i) const override {
    return i < node_.outputs.size() && node_.outputs[i] >= 0 && use_counts_[node_.outputs[i]] > 0;
  }
  Tensor& allocate_output(size_t i, DType dtype, Shape shape) override {
    Tensor& slot = slot_for(i);
    size_t bytes = dtype_bytes(dtype, shape_numel(shape));
    slot = Tensor::adopt(dtype, std::move(shape), pool_.acquire(bytes));
    return slot;
  }
  Tensor& allocate_output_over_input(size_t out, size_t in, DType dtype, Shape shape) override {
    const int id = in < node_.inputs.size() ? node_.inputs[in] : -1;
    if (id >= 0 && remaining_[id] == 1 && out < node_.outputs.size() && node_.outputs[out] >= 0) {
      const Tensor& t = frame_.values[id];
      // Sole owner (no view, constant, caller or outer frame shares it) and exactly the right size.
      if (t.storage() && t.storage().use_count() == 1 && t.raw() == t.storage().get() &&
          t.nbytes() == dtype_bytes(dtype, shape_numel(shape)) && dtype_bits(t.dtype()) == dtype_bits(dtype)) {
        Tensor& slot = slot_for(out);
        slot = Tensor::adopt(dtype, std::move(shape), std::const_pointer_cast<void>(t.storage()));
        return slot;
      }
    }
    return allocate_output(out, dtype, std::move(shape));
  }
  void set_output(size_t i, Tensor t) override { slot_for(i) = std::move(t); }
  std::vector<Tensor> run_subgraph(const CompiledGraph& g) override { return g.run({}, pool_, &frame_); }
  const Node& node() const override { return node_; }

 private:
  Tensor& slot_for(size_t i) {
    if (i >= node_.outputs.size()) {
      throw Error("node " + node_.describe() + " has no output " + std::to_string(i));
    }
    if (node_.outputs[i] < 0) return scratch_;
    return frame_.values[node_.outputs[i]];
  }
  const Node& node_;
  Frame& frame_;
  BufferPool& pool_;
  const std::vector<int>& use_counts_;
  const std::vector<int>& remaining_;
  Tensor scratch_;
};

[[noreturn]] void rethrow_with_node(const Node& node, const std::exception& e) {
  std::string msg = e.what();
  if (msg.rfind("node ", 0) == 0) throw Error(msg);
  throw Error("node " + node.describe() + ": " + msg);
}

}  // namespace

CompiledGraph::CompiledGraph(std::shared_ptr<Graph> graph, const EngineOptions& options, const CompiledGraph* parent)
    : graph_(std::move(graph)), options_(options), parent_(parent) {
  bind_outer_refs();
  defined_.assign(graph_->values.size(), false);
  for (int id : graph_->inputs) defined_[id] = true;
  for (const auto& b : outer_) defined_[b.local_id] = true;
  for (size_t id = 0; id < graph_->values.size(); ++id) {
    if (graph_->values[id].constant.defined()) defined_[id] = true;
  }
  for (const auto& n : graph_->nodes) {
    for (int id : n.outputs) {
      if (id >= 0) defined_[id] = true;
    }
  }
  sort_nodes();
  fold_constants();
  remove_dead_nodes();
  build_steps();
  compute_last_uses();
}

CompiledGraph::~CompiledGraph() = default;

void CompiledGraph::bind_outer_refs() {
  for (int local : graph_->outer_refs) {
    const std::string& name = graph_->values[local].name;
    auto target = parent_ ? parent_->resolve(name) : std::nullopt;
    if (!target) {
      throw Error("subgraph '" + graph_->name + "' reads '" + name + "', which no enclosing graph defines");
    }
    outer_.push_back(OuterBinding{local, target->first + 1, target->second});
  }
}

std::optional<std::pair<int, int>> CompiledGraph::resolve(const std::string& name) const {
  auto id = graph_->find_value(name);
  if (id && *id < static_cast<int>(defined_.size()) && defined_[*id]) {
    bool is_outer = std::any_of(outer_.begin(), outer_.end(), [&](const OuterBinding& b) { return b.local_id == *id; });
    if (!is_outer) return std::make_pair(0, *id);
  }
  if (!parent_) return std::nullopt;
  auto up = parent_->resolve(name);
  if (!up) return std::nullopt;
  return std::make_pair(up->first + 1, up->second);
}

void CompiledGraph::sort_nodes() {
  Graph& g = *graph_;
  const size_t n = g.nodes.size();
  std::vector<bool> available(g.values.size(), false);
  for (size_t id = 0; id < g.values.size(); ++id) {
    if (g.values[id].constant.defined()) available[id] = true;
  }
  for (int id : g.inputs) available[id] = true;
  for (const auto& b : outer_) available[b.local_id] = true;

  std::vector<std::vector<int>> deps(n);
  std::vector<int> producer(g.values.size(), -1);
  for (size_t i = 0; i < n; ++i) {
    for (int id : g.nodes[i].outputs) {
      if (id >= 0) producer[id] = static_cast<int>(i);
    }
  }
  std::vector<int> missing(n, 0);
  std::vector<std::vector<int>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    std::vector<int> ins = g.nodes[i].inputs;
    auto implicit = implicit_inputs_of(g.nodes[i], g, defined_);
    ins.insert(ins.end(), implicit.begin(), implicit.end());
    std::set<int> waits;
    for (int id : ins) {
      if (id < 0 || available[id]) continue;
      if (producer[id] < 0) {
        throw Error("input '" + g.values[id].name + "' of node " + g.nodes[i].describe() + " is never produced");
      }
      waits.insert(producer[id]);
    }
    missing[i] = static_cast<int>(waits.size());
    for (int p : waits) consumers[p].push_back(static_cast<int>(i));
  }
  // Kahn's algorithm, taking ready nodes in file order so the schedule stays predictable.
  std::set<int> ready;
  for (size_t i = 0; i < n; ++i) {
    if (missing[i] == 0) ready.insert(static_cast<int>(i));
  }
  std::vector<Node> ordered;
  ordered.reserve(n);
  while (!ready.empty()) {
    int i = *ready.begin();
    ready.erase(ready.begin());
    for (int c : consumers[i]) {
      if (--missing[c] == 0) ready.insert(c);
    }
    ordered.push_back(std::move(g.nodes[i]));
  }
  if (ordered.size() != n) throw Error("graph '" + g.name + "' has a cycle");
  g.nodes = std::move(ordered);
}

void CompiledGraph::fold_constants() {
  Graph& g = *graph_;
  std::vector<Node> kept;
  for (auto& node : g.nodes) {
    bool all_constant = foldable(node) && std::all_of(node.inputs.begin(), node.inputs.end(), [&](int id) {
      return id < 0 || g.values[id].constant.defined();
    });
    const KernelFactory* factory =
        all_constant ? KernelRegistry::instance().find(node.domain, node.op_type, node.opset) : nullptr;
    if (!factory) {
      kept.push_back(std::move(node));
      continue;
    }
    FoldContext ctx(node, g);
    try {
      KernelInfo info(node, g, options_, [](const std::string&) { return nullptr; });
      (*factory)(info)->compute(ctx);
    } catch (const std::exception& e) {
      rethrow_with_node(node, e);
    }
    size_t bytes = 0;
    for (const auto& t : ctx.outputs()) bytes += t.nbytes();
    if (bytes > kMaxFoldedBytes) {
      kept.push_back(std::move(node));
      continue;
    }
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i] < 0) continue;
      Value& v = g.values[node.outputs[i]];
      v.constant = ctx.outputs()[i];
      v.dtype = v.constant.dtype();
    }
  }
  g.nodes = std::move(kept);
}

void CompiledGraph::remove_dead_nodes() {
  Graph& g = *graph_;
  std::vector<bool> live(g.values.size(), false);
  for (int id : g.outputs) live[id] = true;
  std::vector<bool> keep(g.nodes.size(), false);
  for (size_t k = g.nodes.size(); k-- > 0;) {
    const Node& node = g.nodes[k];
    keep[k] = std::any_of(node.outputs.begin(), node.outputs.end(), [&](int id) { return id >= 0 && live[id]; });
    if (!keep[k]) continue;
    for (int id : node.inputs) {
      if (id >= 0) live[id] = true;
    }
    for (int id : implicit_inputs_of(node, g, defined_)) live[id] = true;
  }
  std::vector<Node> kept;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    if (keep[k]) kept.push_back(std::move(g.nodes[k]));
  }
  g.nodes = std::move(kept);
}

void CompiledGraph::build_steps() {
  Graph& g = *graph_;
  for (const auto& node : g.nodes) {
    auto step = std::make_unique<Step>();
    step->node = &node;
    for (const auto& [name, attr] : node.attributes) {
      if (attr.kind == Attribute::Kind::Graph) {
        step->subgraphs[name] = std::make_unique<CompiledGraph>(attr.g, options_, this);
      }
    }
    const KernelFactory* factory = KernelRegistry::instance().find(node.domain, node.op_type, node.opset);
    if (!factory) {
      throw Error("no kernel for " + (node.domain.empty() ? std::string("ai.onnx") : node.domain) + "." +
                  node.op_type + " at opset " + std::to_string(node.opset) + " (node " + node.describe() + ")");
    }
    Step* raw = step.get();
    KernelInfo info(node, g, options_, [raw](const std::string& name) -> const CompiledGraph* {
      auto it = raw->subgraphs.find(name);
      return it == raw->subgraphs.end() ? nullptr : it->second.get();
    });
    try {
      step->kernel = (*factory)(info);
    } catch (const std::exception& e) {
      rethrow_with_node(node, e);
    }
    step->implicit_inputs = implicit_inputs_of(node, g, defined_);
    steps_.push_back(std::move(step));
  }
}

void CompiledGraph::compute_last_uses() {
  use_counts_.assign(graph_->values.size(), 0);
  for (auto& step : steps_) {
    std::set<int> ids;
    for (int id : step->node->inputs) {
      if (id >= 0) ids.insert(id);
    }
    ids.insert(step->implicit_inputs.begin(), step->implicit_inputs.end());
    step->consumed.assign(ids.begin(), ids.end());
    for (int id : ids) ++use_counts_[id];
  }
  for (int id : graph_->outputs) ++use_counts_[id];
}

std::vector<Tensor> CompiledGraph::run(std::vector<Tensor> inputs, BufferPool& pool, const Frame* parent) const {
  const Graph& g = *graph_;
  if (inputs.size() != g.inputs.size()) {
    throw Error("graph '" + g.name + "' takes " + std::to_string(g.inputs.size()) + " inputs, got " +
                std::to_string(inputs.size()));
  }
  Frame frame;
  frame.parent = parent;
  frame.values.resize(g.values.size());
  for (size_t id = 0; id < g.values.size(); ++id) {
    if (g.values[id].constant.defined()) frame.values[id] = g.values[id].constant;
  }
  for (const auto& b : outer_) {
    const Frame* f = parent;
    for (int d = 1; d < b.depth && f; ++d) f = f->parent;
    if (!f) throw Error("subgraph '" + g.name + "' run without its enclosing graph");
    frame.values[b.local_id] = f->values[b.id];
  }
  for (size_t i = 0; i < inputs.size(); ++i) frame.values[g.inputs[i]] = std::move(inputs[i]);

  std::vector<int> remaining = use_counts_;
  for (const auto& step : steps_) {
    const Node& node = *step->node;
    StepContext ctx(node, frame, pool, use_counts_, remaining);
    for (int id : node.inputs) {
      if (id >= 0 && !frame.values[id].defined()) {
        throw Error("node " + node.describe() + ": input '" + g.values[id].name + "' was not computed");
      }
    }
    try {
      step->kernel->compute(ctx);
    } catch (const std::exception& e) {
      rethrow_with_node(node, e);
    }
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      int id = node.outputs[i];
      if (id < 0) continue;
      if (remaining[id] == 0) {
        frame.values[id] = Tensor();
      } else if (!frame.values[id].defined()) {
        throw Error("node " + node.describe() + " did not produce output " + std::to_string(i));
      }
    }
    for (int id : step->consumed) {
      if (--remaining[id] == 0) frame.values[id] = Tensor();
    }
  }
  std::vector<Tensor> outputs;
  outputs.reserve(g.outputs.size());
  for (int id : g.outputs) outputs.push_back(frame.values[id]);
  return outputs;
}

std::vector<std::string> find_unsupported_ops(const Graph& graph) {
  std::map<std::string, std::string> first_node;
  std::deque<const Graph*> todo{&graph};
  while (!todo.empty()) {
    const Graph* g = todo.front();
    todo.pop_front();
    for (const auto& node : g->nodes) {
      for (const auto& [_, attr] : node.attributes) {
        if (attr.kind == Attribute::Kind::Graph) todo.push_back(attr.g.get());
      }
      if (KernelRegistry::instance().find(node.domain, node.op_type, node.opset)) continue;
      std::string key = (node.domain.empty() ? std::string("ai.onnx") : node.domain) + "." + node.op_type +
                        " (opset " + std::to_string(node.opset) + ")";
      first_node.emplace(key, node.name);
    }
  }
  std::vector<std::string> out;
  for (const auto& [key, name] : first_node) out.push_back(key + ", first node '" + name + "'");
  return out;
}

}  // namespace evalq
