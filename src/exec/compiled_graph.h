#pragma once

#include <evalq/options.h>

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "exec/buffer_pool.h"
#include "exec/kernel.h"
#include "graph/graph.h"

namespace evalq {

// Values of one graph during one run; subgraph frames see their enclosing frame.
struct Frame {
  std::vector<Tensor> values;
  const Frame* parent = nullptr;
};

// A graph prepared for execution: nodes in topological order with their kernels, constants
// folded, dead nodes removed, and each value's last use known so its buffer is released then.
class CompiledGraph {
 public:
  // `parent` is the enclosing compiled graph for If branches (outer-scope values).
  CompiledGraph(std::shared_ptr<Graph> graph, const EngineOptions& options, const CompiledGraph* parent = nullptr);
  ~CompiledGraph();

  // Inputs in the order of graph().inputs; returns the outputs in the order of graph().outputs.
  std::vector<Tensor> run(std::vector<Tensor> inputs, BufferPool& pool, const Frame* parent = nullptr) const;

  const Graph& graph() const { return *graph_; }
  size_t node_count() const { return steps_.size(); }
  // (depth, value id) of a name visible from this graph; depth 0 = this graph.
  std::optional<std::pair<int, int>> resolve(const std::string& name) const;

 private:
  struct Step;
  struct OuterBinding {
    int local_id;
    int depth;  // frames to walk up from this graph's frame
    int id;
  };

  void sort_nodes();
  void fold_constants();
  void remove_dead_nodes();
  void build_steps();
  void bind_outer_refs();
  void compute_last_uses();

  std::shared_ptr<Graph> graph_;
  const EngineOptions& options_;
  const CompiledGraph* parent_;
  std::vector<bool> defined_;
  std::vector<OuterBinding> outer_;
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<int> use_counts_;  // reads per value in one run (graph outputs count once more)
};

// Every (domain, op_type, opset) in the graph and its subgraphs that has no kernel, with the
// first node of each. Empty when the model can run.
std::vector<std::string> find_unsupported_ops(const Graph& graph);

}  // namespace evalq
