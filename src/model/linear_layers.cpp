#include "model/linear_layers.h"

namespace evalq {
namespace {

std::string bits_name(DType t) {
  switch (t) {
    case DType::Int4: return "int4";
    case DType::UInt4: return "uint4";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Int16: return "int16";
    case DType::UInt16: return "uint16";
    case DType::Float8E4M3FN: return "fp8 e4m3fn";
    case DType::Float8E5M2: return "fp8 e5m2";
    default: return dtype_name(t);
  }
}

}  // namespace

std::vector<LinearLayerInfo> linear_layers(const Graph& g) {
  std::vector<LinearLayerInfo> out;
  for (const auto& n : g.nodes) {
    LinearLayerInfo info;
    info.node = n.name;
    if (n.domain == "com.microsoft" && n.op_type == "MatMulNBits") {
      info.K = n.int_attribute("K", 0);
      info.N = n.int_attribute("N", 0);
      const int zp = n.inputs.size() > 3 ? n.inputs[3] : -1;
      // HQQ stores zero points as floats (in scale dtype), RTN as packed uint8 codes.
      const bool float_zp = g.is_constant(zp) && is_float(g.values[zp].constant.dtype());
      const std::string symmetry = zp < 0 ? " sym" : float_zp ? " asym (float zero points)" : " asym";
      info.format = "MatMulNBits int" + std::to_string(n.int_attribute("bits", 4)) + " block " +
                    std::to_string(n.int_attribute("block_size", 0)) + symmetry + ", acc-level " +
                    std::to_string(n.int_attribute("accuracy_level", 0));
      out.push_back(info);
      continue;
    }
    if (!n.domain.empty() || (n.op_type != "MatMul" && n.op_type != "Gemm") || n.inputs.size() < 2) continue;
    int w = n.inputs[1];
    if (g.is_constant(w)) {
      const Tensor& t = g.values[w].constant;
      if (t.rank() != 2) continue;
      bool trans = n.op_type == "Gemm" && n.int_attribute("transB", 0);
      info.K = t.shape()[trans ? 1 : 0];
      info.N = t.shape()[trans ? 0 : 1];
      info.format = dtype_name(t.dtype());
      out.push_back(info);
      continue;
    }
    const Node* dq = g.producer(w);
    if (!dq || dq->op_type != "DequantizeLinear" || dq->inputs.empty() || !g.is_constant(dq->inputs[0])) continue;
    const Tensor& q = g.values[dq->inputs[0]].constant;
    if (q.rank() != 2) continue;
    info.K = q.shape()[0];
    info.N = q.shape()[1];
    bool zp = dq->inputs.size() > 2 && dq->inputs[2] >= 0;
    int64_t block = dq->int_attribute("block_size", 0);
    const Tensor& scale = g.is_constant(dq->inputs[1]) ? g.values[dq->inputs[1]].constant : Tensor();
    std::string gran = block ? "block " + std::to_string(block)
                       : scale.defined() && scale.numel() == 1 ? "per tensor"
                                                               : "per channel";
    info.format = "QDQ " + bits_name(q.dtype()) + " " + gran + (zp ? " asym" : " sym");
    out.push_back(info);
  }
  return out;
}

}  // namespace evalq
