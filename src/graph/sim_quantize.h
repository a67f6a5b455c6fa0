#pragma once

// Rewrites a graph into its simulated quantized twin: each MatMul/Gemm weight a --sim rule selects
// becomes what the genuine tool writes (MatMulNBits for algo=ort blocks, DequantizeLinear -> MatMul
// for ModelOpt INT4 and per-channel int8/fp8), so simulation runs through the same kernels as
// genuine quantized models and `evalq quantize` can save it as is.
#include <evalq/sim.h>

#include <string>

#include "graph/graph.h"
#include "quant/sim_spec.h"

namespace evalq {

// `logits` names the graph output whose producer is the lm_head.
SimReport apply_sim_spec(Graph& graph, const SimSpec& spec, const std::string& logits);

}  // namespace evalq
