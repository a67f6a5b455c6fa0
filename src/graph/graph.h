#pragma once

#include <evalq/tensor.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace evalq {

struct Graph;

// One ONNX attribute, already decoded from protobuf.
struct Attribute {
  enum class Kind { Float, Int, String, Tensor, Graph, Floats, Ints, Strings };
  Kind kind = Kind::Int;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;

  static Attribute integer(int64_t value) {
    Attribute a;
    a.kind = Kind::Int;
    a.i = value;
    return a;
  }
};

// A declared dimension: a fixed size or a symbolic name ("batch_size").
struct Dim {
  int64_t value = -1;  // -1 when symbolic or unknown
  std::string symbol;
};

struct Value {
  std::string name;
  DType dtype = DType::Undefined;  // as declared in value_info / graph inputs and outputs
  std::optional<std::vector<Dim>> dims;
  Tensor constant;  // defined for initializers and folded constants
};

struct Node {
  std::string name;
  std::string domain;  // "" for ai.onnx
  std::string op_type;
  int opset = 0;  // the model's opset_import version for `domain`
  std::vector<int> inputs;   // value ids, -1 for an omitted optional input
  std::vector<int> outputs;  // value ids, -1 for an omitted optional output
  std::map<std::string, Attribute> attributes;

  // "'/model/layers.0/attn/MatMul' (MatMul)" for error messages.
  std::string describe() const;
  const Attribute* attribute(const std::string& name) const;
  // An integer attribute, or `fallback` when the node does not set it.
  int64_t int_attribute(const std::string& name, int64_t fallback) const;
  // Turns this node into com.microsoft MatMulNBits with these inputs and attributes (the rewrites
  // that produce MatMulNBits: simulation and the DequantizeLinear fusion).
  void become_matmul_nbits(std::vector<int> new_inputs, int64_t K, int64_t N, int64_t bits, int64_t block_size,
                           int64_t accuracy_level);
};

// A graph (the main graph or an If branch). Values referenced by a subgraph but defined in an
// enclosing graph are listed in `outer_refs` and resolved by name when the graph is compiled.
struct Graph {
  std::string name;
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<int> outer_refs;
  std::unordered_map<std::string, int> value_ids;

  // Id of the named value, creating it when new.
  int value_id(const std::string& name);
  std::optional<int> find_value(const std::string& name) const;
  bool is_constant(int id) const { return id >= 0 && values[id].constant.defined(); }
  // The node producing value `id`, or nullptr for inputs, constants and outer values.
  const Node* producer(int id) const;
  Node* producer(int id);
  // How many node inputs (and graph outputs) read value `id`.
  int consumer_count(int id) const;
  // A new constant value; its name must be new (rewrites name values after the tools they mimic).
  int add_constant(const std::string& name, Tensor t);
  // `base`, or `base_1`, `base_2`, ... : the first name no value has yet.
  std::string unused_name(const std::string& base) const;
};

// A loaded ONNX model: its main graph plus where it came from.
struct OnnxModel {
  std::string path;  // the .onnx file
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::map<std::string, int> opsets;  // domain ("" for ai.onnx) -> version
  std::shared_ptr<Graph> graph;
};

std::string normalize_domain(const std::string& domain);

}  // namespace evalq
