#pragma once

#include <string>

#include "graph/graph.h"

namespace evalq {

// Name of the int64 [rows] graph input added by select_logit_rows.
inline constexpr const char* kLogitRowsInput = "evalq::logit_rows";

// Metrics score only some positions, and the lm_head is a large share of the work, so the hidden
// state is gathered down to the requested rows before it: when `logits` is computed by a MatMul
// (or MatMulNBits) on a [batch, seq, hidden] activation, possibly followed by a Cast, a
// Gather(hidden, rows, axis 1) is inserted and fed by a new input kLogitRowsInput. Returns false
// (graph unchanged) when the pattern is not found.
bool select_logit_rows(Graph& graph, const std::string& logits);

}  // namespace evalq
