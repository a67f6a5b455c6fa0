#include "graph/sim_quantize.h"

#include <evalq/error.h>

#include <regex>
#include <set>

#include "graph/linear_weight.h"
#include "quant/weight_quantizer.h"

namespace evalq {
namespace {

// Layer index from names like "model.layers.3.mlp", "/model/layers.3/attn", "h.3.", "blocks.3".
std::optional<int64_t> layer_index(const std::string& name) {
  static const std::regex re(R"((?:layers|layer|h|blocks)[./_](\d+)(?:[./_]|$))");
  std::smatch m;
  if (std::regex_search(name, m, re)) return std::stoll(m[1]);
  return std::nullopt;
}

struct Linear {
  Node* node;
  int weight;        // value id of the constant weight
  bool transposed;   // Gemm transB=1: stored [N, K]
  int64_t K, N;
};

// A float linear layer the simulation can quantize: a 2-D float constant weight, and for Gemm the
// plain form (no transA, alpha = beta = 1) that MatMulNBits can replace.
std::optional<Linear> as_linear(Node& n, Graph& g) {
  const auto l = linear_weight(g, n);
  if (!l || l->storage != LinearWeight::Storage::Constant) return std::nullopt;
  const DType t = g.values[l->weight].constant.dtype();
  if (!(t == DType::Float32 || t == DType::Float16 || t == DType::BFloat16)) return std::nullopt;
  if (n.op_type == "Gemm") {
    auto attr_float = [&](const char* k, float d) { const Attribute* a = n.attribute(k); return a ? a->f : d; };
    if (n.int_attribute("transA", 0) != 0 || attr_float("alpha", 1.0f) != 1.0f || attr_float("beta", 1.0f) != 1.0f) {
      return std::nullopt;
    }
  }
  return Linear{&n, l->weight, l->transposed, l->K, l->N};
}

// A rule's selectors (globs, first:N, last:N) are alternatives: any one matching selects the
// weight; a rule without selectors selects every weight.
bool rule_matches(const SimRule& r, const SimDecision& d, int64_t layer_count) {
  if (d.lm_head && r.lm_head == false) return false;
  if (r.patterns.empty() && !r.first_layers && !r.last_layers) return true;
  if (d.layer && r.first_layers && *d.layer < *r.first_layers) return true;
  if (d.layer && r.last_layers && *d.layer >= layer_count - *r.last_layers) return true;
  for (const auto& p : r.patterns) {
    if (glob_match(p, d.weight) || glob_match(p, d.node)) return true;
  }
  return false;
}

// The weight as fp32 [K, N].
std::vector<float> weight_kn(const Tensor& stored, const Linear& l) {
  Tensor f = to_float32(stored);
  std::vector<float> w(static_cast<size_t>(l.K * l.N));
  const float* src = f.data<float>();
  for (int64_t k = 0; k < l.K; ++k) {
    for (int64_t n = 0; n < l.N; ++n) w[k * l.N + n] = l.transposed ? src[n * l.K + k] : src[k * l.N + n];
  }
  return w;
}

// fp16/bf16 models keep scales in the activation type, as the quantizers write them.
Tensor scales_like(const Tensor& scales, DType weight_type) {
  if (weight_type == DType::Float32) return scales;
  Tensor out = Tensor::empty(weight_type, scales.shape());
  const float* s = scales.data<float>();
  auto* d = out.mutable_data<uint16_t>();
  for (int64_t i = 0; i < scales.numel(); ++i) d[i] = weight_type == DType::Float16 ? float_to_half(s[i]) : float_to_bfloat16(s[i]);
  return out;
}

void rewrite_nbits(Graph& g, const Linear& l, const SimRule& r, const std::string& wname, DType wtype) {
  auto w = weight_kn(g.values[l.weight].constant, l);
  int bits = r.format == SimFormat::Int4 ? 4 : 8;
  NBitsWeight q = quantize_nbits_ort(w.data(), l.K, l.N, bits, r.block, r.symmetric);
  const std::string suffix = bits == 4 ? "_Q4" : "_Q8";
  Node& n = *l.node;
  std::vector<int> inputs{n.inputs[0], g.add_constant(wname + suffix, q.packed),
                          g.add_constant(wname + "_scales", scales_like(q.scales, wtype))};
  inputs.push_back(r.symmetric ? -1 : g.add_constant(wname + "_zero_points", q.zero_points));
  if (n.op_type == "Gemm" && n.inputs.size() > 2 && n.inputs[2] >= 0) {
    inputs.push_back(-1);  // g_idx
    inputs.push_back(n.inputs[2]);
  }
  while (!inputs.empty() && inputs.back() < 0) inputs.pop_back();
  n.name += suffix;
  n.become_matmul_nbits(std::move(inputs), l.K, l.N, bits, r.block, r.act_int8 ? 4 : 0);
}

void rewrite_dq(Graph& g, const Linear& l, const SimRule& r, const std::string& wname, DType wtype) {
  auto w = weight_kn(g.values[l.weight].constant, l);
  DqWeight q;
  std::string qname;
  if (r.algo == SimAlgo::ModelOpt) {
    q = quantize_modelopt_int4(w.data(), l.K, l.N, r.block);
    qname = wname + "_i4";
  } else {
    ChannelFormat f = r.format == SimFormat::Fp8 ? ChannelFormat::Fp8E4M3
                      : r.symmetric              ? ChannelFormat::Int8Sym
                                                 : ChannelFormat::UInt8Asym;
    q = quantize_per_channel(w.data(), l.K, l.N, f);
    qname = wname + (r.format == SimFormat::Fp8 ? "_f8" : "_i8");
  }
  Node dq;
  dq.name = wname + "_DequantizeLinear";
  dq.op_type = "DequantizeLinear";
  dq.opset = 21;
  dq.inputs = {g.add_constant(qname, q.q), g.add_constant(wname + "_scale", scales_like(q.scale, wtype))};
  if (q.zero_point.defined()) dq.inputs.push_back(g.add_constant(wname + "_zero_point", q.zero_point));
  int out = g.value_id(wname + "_DequantizeLinear_Output");
  g.values[out].dtype = wtype;
  dq.outputs = {out};
  dq.attributes["axis"] = Attribute::integer(q.axis);
  if (q.block) dq.attributes["block_size"] = Attribute::integer(q.block);
  Node& n = *l.node;
  n.inputs[1] = out;
  if (n.op_type == "Gemm") n.attributes.erase("transB");
  g.nodes.push_back(std::move(dq));
}

}  // namespace

SimReport apply_sim_spec(Graph& g, const SimSpec& spec, const std::string& logits) {
  SimReport report;
  report.spec = spec.text;
  const Node* head = nullptr;
  if (auto id = g.find_value(logits)) head = g.producer(*id);
  // A Cast between the lm_head and the logits output (fp16 models) is looked through.
  if (head && head->op_type == "Cast") head = g.producer(head->inputs[0]);
  const int head_node = head ? static_cast<int>(head - g.nodes.data()) : -1;

  std::vector<Linear> linears;
  std::vector<size_t> node_index;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (auto l = as_linear(g.nodes[i], g)) {
      linears.push_back(*l);
      node_index.push_back(i);
    }
  }
  int64_t layer_count = 0;
  for (const auto& l : linears) {
    if (auto li = layer_index(l.node->name + " " + g.values[l.weight].name)) layer_count = std::max(layer_count, *li + 1);
  }
  std::vector<bool> rule_used(spec.rules.size(), false);
  std::set<int> shared_weights;
  for (size_t i = 0; i < linears.size(); ++i) {
    const Linear& l = linears[i];
    SimDecision d;
    d.node = l.node->name;
    d.weight = g.values[l.weight].name;
    d.K = l.K;
    d.N = l.N;
    d.layer = layer_index(d.node);
    if (!d.layer) d.layer = layer_index(d.weight);
    d.lm_head = static_cast<int>(node_index[i]) == head_node;
    d.format = "kept";
    for (size_t r = 0; r < spec.rules.size(); ++r) {
      if (!rule_matches(spec.rules[r], d, layer_count)) continue;
      d.rule = static_cast<int>(r);
      d.rule_text = spec.rules[r].text;
      d.format = spec.rules[r].describe();
      rule_used[r] = true;
      break;
    }
    report.decisions.push_back(d);
  }
  // Rewrite after deciding, so that node pointers stay valid while the decisions are made.
  for (size_t i = 0; i < linears.size(); ++i) {
    const SimDecision& d = report.decisions[i];
    if (d.rule < 0) continue;
    const SimRule& r = spec.rules[d.rule];
    if (r.format == SimFormat::None) continue;
    Linear l = linears[i];
    l.node = &g.nodes[node_index[i]];
    DType wtype = g.values[l.weight].constant.dtype();
    if (r.block > 0 && r.algo == SimAlgo::Ort) rewrite_nbits(g, l, r, d.weight, wtype);
    else rewrite_dq(g, l, r, d.weight, wtype);
  }
  for (size_t r = 0; r < spec.rules.size(); ++r) {
    if (!rule_used[r]) report.warnings.push_back("--sim rule '" + spec.rules[r].text + "' matches no linear weight");
  }
  if (linears.empty()) report.warnings.push_back("--sim: the model has no MatMul/Gemm with a constant float weight");
  return report;
}

}  // namespace evalq
