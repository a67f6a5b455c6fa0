#include "model/linear_layers.h"

#include "graph/linear_weight.h"

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
    const auto l = linear_weight(g, n);
    if (!l) continue;
    LinearLayerInfo info;
    info.node = n.name;
    info.K = l->K;
    info.N = l->N;
    const Tensor& w = g.values[l->weight].constant;
    switch (l->storage) {
      case LinearWeight::Storage::NBits: {
        const int zp = n.inputs.size() > 3 ? n.inputs[3] : -1;
        // HQQ stores zero points as floats (in scale dtype), RTN as packed uint8 codes.
        const bool float_zp = g.is_constant(zp) && is_float(g.values[zp].constant.dtype());
        const std::string symmetry = zp < 0 ? " sym" : float_zp ? " asym (float zero points)" : " asym";
        info.format = "MatMulNBits int" + std::to_string(n.int_attribute("bits", 4)) + " block " +
                      std::to_string(n.int_attribute("block_size", 0)) + symmetry + ", acc-level " +
                      std::to_string(n.int_attribute("accuracy_level", 0));
        break;
      }
      case LinearWeight::Storage::Constant: info.format = dtype_name(w.dtype()); break;
      case LinearWeight::Storage::Dequantized: {
        const Node& dq = *l->dequantize;
        const bool zp = dq.inputs.size() > 2 && dq.inputs[2] >= 0;
        const int64_t block = dq.int_attribute("block_size", 0);
        const Tensor& scale = g.is_constant(dq.inputs[1]) ? g.values[dq.inputs[1]].constant : Tensor();
        const std::string gran = block ? "block " + std::to_string(block)
                                 : scale.defined() && scale.numel() == 1 ? "per tensor"
                                                                         : "per channel";
        info.format = "QDQ " + bits_name(w.dtype()) + " " + gran + (zp ? " asym" : " sym");
        break;
      }
    }
    out.push_back(info);
  }
  return out;
}

}  // namespace evalq
