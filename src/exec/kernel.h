#pragma once

#include <evalq/error.h>
#include <evalq/tensor.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace evalq {

class CompiledGraph;
struct EngineOptions;

// What a kernel sees at run time: its inputs, a way to allocate outputs from the executor's
// buffer pool, and subgraph execution for control-flow ops.
class KernelContext {
 public:
  virtual ~KernelContext() = default;

  virtual size_t input_count() const = 0;
  // nullptr when the optional input is omitted (or beyond the node's inputs).
  virtual const Tensor* input(size_t i) const = 0;
  // The input, or an error naming the node when it is omitted.
  const Tensor& required_input(size_t i) const;

  virtual size_t output_count() const = 0;
  // False when the node omits that optional output or nothing reads it.
  virtual bool output_wanted(size_t i) const = 0;
  // Uninitialized storage for output i.
  virtual Tensor& allocate_output(size_t i, DType dtype, Shape shape) = 0;
  // Output `out` written over input `in` when nothing reads that input afterwards and its storage has
  // exactly the size needed, so elementwise kernels run in place and peak memory drops; otherwise
  // fresh storage. Only for kernels that read each input element before writing the same output
  // element.
  virtual Tensor& allocate_output_over_input(size_t out, size_t in, DType dtype, Shape shape) {
    return allocate_output(out, dtype, std::move(shape));
  }
  // Output i is an existing tensor (a view of an input for Reshape, Identity, ...).
  virtual void set_output(size_t i, Tensor tensor) = 0;

  // Runs a subgraph compiled for this node and returns its outputs in order.
  virtual std::vector<Tensor> run_subgraph(const CompiledGraph& graph) = 0;

  virtual const Node& node() const = 0;
};

// Load-time view of a node, for kernel construction: attributes (with defaults), constant inputs
// (weights to pre-pack), compiled subgraphs and the engine options.
class KernelInfo {
 public:
  KernelInfo(const Node& node, const Graph& graph, const EngineOptions& options,
             std::function<const CompiledGraph*(const std::string&)> subgraph)
      : node_(node), graph_(graph), options_(options), subgraph_(std::move(subgraph)) {}

  const Node& node() const { return node_; }
  int opset() const { return node_.opset; }
  const EngineOptions& options() const { return options_; }
  size_t input_count() const { return node_.inputs.size(); }
  bool has_input(size_t i) const { return i < node_.inputs.size() && node_.inputs[i] >= 0; }
  // The input's value when it is an initializer or folded constant, else nullptr.
  const Tensor* constant_input(size_t i) const;
  // The declared dtype of an input, when the model states it.
  DType input_dtype(size_t i) const;

  bool has_attribute(const std::string& name) const { return node_.attribute(name) != nullptr; }
  int64_t get_int(const std::string& name, std::optional<int64_t> fallback = std::nullopt) const;
  float get_float(const std::string& name, std::optional<float> fallback = std::nullopt) const;
  std::string get_string(const std::string& name, std::optional<std::string> fallback = std::nullopt) const;
  std::vector<int64_t> get_ints(const std::string& name, std::optional<std::vector<int64_t>> fallback = std::nullopt) const;
  std::vector<float> get_floats(const std::string& name, std::optional<std::vector<float>> fallback = std::nullopt) const;
  Tensor get_tensor(const std::string& name) const;
  const CompiledGraph& get_subgraph(const std::string& name) const;

  // An evalq::Error whose message starts with the node's name and op.
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const Attribute& require(const std::string& name, Attribute::Kind kind) const;
  const Node& node_;
  const Graph& graph_;
  const EngineOptions& options_;
  std::function<const CompiledGraph*(const std::string&)> subgraph_;
};

// One ONNX op implementation. Constructed once per node at load time (attribute errors surface
// then), run many times; compute() must be safe to call again with new input shapes.
class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual void compute(KernelContext& ctx) const = 0;
};

using KernelFactory = std::function<std::unique_ptr<OpKernel>(const KernelInfo&)>;

// Kernels by (domain, op_type, opset range). "" is the ai.onnx domain.
class KernelRegistry {
 public:
  static KernelRegistry& instance();
  void add(const std::string& domain, const std::string& op_type, int since_version, int until_version,
           KernelFactory factory);
  const KernelFactory* find(const std::string& domain, const std::string& op_type, int opset) const;
  // Every registered (domain, op_type), for `evalq info` and docs.
  std::vector<std::pair<std::string, std::string>> list() const;

 private:
  struct Entry {
    int since;
    int until;
    KernelFactory factory;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Entry>> entries_;
};

struct KernelRegistration {
  KernelRegistration(const char* domain, const char* op_type, int since, int until, KernelFactory factory) {
    KernelRegistry::instance().add(domain, op_type, since, until, std::move(factory));
  }
};

#define EVALQ_CONCAT_INNER(a, b) a##b
#define EVALQ_CONCAT(a, b) EVALQ_CONCAT_INNER(a, b)
// Registers KernelClass, constructed as KernelClass(const KernelInfo&), for opsets [since, until].
#define EVALQ_REGISTER_KERNEL(domain, op_type, since, until, KernelClass)                        \
  static const ::evalq::KernelRegistration EVALQ_CONCAT(evalq_kernel_registration_, __COUNTER__)( \
      domain, op_type, since, until,                                                             \
      [](const ::evalq::KernelInfo& info) -> std::unique_ptr<::evalq::OpKernel> {                \
        return std::make_unique<KernelClass>(info);                                              \
      })

constexpr int kLatestOpset = 1000;

}  // namespace evalq
