#pragma once

// Which token windows a likelihood metric feeds the model, and which rows of each window's logits
// it scores. Each method reproduces a reference tool's token set exactly (see docs/metrics.md).
#include <cstdint>
#include <string>
#include <vector>

namespace evalq {

enum class WindowMethod {
  ModelOpt,     // ModelOpt-Windows run_perplexity.py with --chunk_size: last chunk's targets (A5)
  Hf,           // the HF strided sliding window, every token scored once (A8)
  LlamaCpp,     // llama-perplexity: disjoint windows, BOS overwrites token 0, second half (A1)
  ModelOptKld,  // compute_kl_divergence.py: disjoint windows, every position compared (A6)
};

std::string window_method_name(WindowMethod m);
// Throws evalq::Error listing the known names.
WindowMethod parse_window_method(const std::string& name);

// Feed tokens[begin, end); use logit rows [row_begin, row_end) (0-based within the window). Row r
// predicts tokens[begin + r + 1], which exists when begin + r + 1 < end.
struct Window {
  int64_t begin = 0, end = 0;
  int64_t row_begin = 0, row_end = 0;
  bool bos_overwrite = false;  // the first fed token is replaced by BOS (llama.cpp)
  int64_t length() const { return end - begin; }
  int64_t rows() const { return row_end - row_begin; }
};

struct WindowSpec {
  WindowMethod method = WindowMethod::ModelOpt;
  int64_t seq = 1024;
  int64_t chunk = 512;      // stride (modelopt, hf); unused by llamacpp / modelopt-kld
  bool bos_overwrite = false;  // llamacpp only: whether the model uses BOS
  int64_t max_windows = 0;  // 0 = all
};

// The windows for a corpus of `tokens` ids. Throws evalq::Error when the corpus cannot fill the
// method's first window or the spec is inconsistent.
std::vector<Window> plan_windows(int64_t tokens, const WindowSpec& spec);

// Number of rows of `w` that have a target inside the window.
int64_t scored_targets(const Window& w);

// A stable text naming the method, seq, chunk and every window (for cache fingerprints).
std::string describe_plan(const WindowSpec& spec, const std::vector<Window>& windows);

}  // namespace evalq
