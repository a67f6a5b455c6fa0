#pragma once

#include <evalq/model.h>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace evalq {

class BufferPool;

// The keys and values of every layer for the tokens run so far ([1, kv_heads, length, head_size]
// each, in the model's KV dtype). For GPT-2 style combined-KV models (LlmLayout::combined_kv),
// keys holds each layer's [2, 1, kv_heads, length, head_size] tensor and values is empty.
struct KvCache {
  std::vector<Tensor> keys;
  std::vector<Tensor> values;
  int64_t length = 0;
};

struct ForwardResult {
  Tensor logits;    // float32 [rows, vocab]: the requested rows, or every position
  KvCache present;  // past + these tokens; empty when the model has no KV cache
};

// Runs a model. Holds the buffer pool, so repeated runs of the same shapes allocate nothing.
// One Session per thread; the Model may be shared.
class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model);
  ~Session();

  // Generic run: feeds by input name; returns every graph output by name.
  std::map<std::string, Tensor> run(const std::map<std::string, Tensor>& feeds);

  // Decoder forward pass on one sequence of token ids (batch 1), continuing `past` when given.
  // `rows` selects positions (0-based within `tokens`) whose logits are returned, in order;
  // empty = all. `want_present` = false skips returning the KV cache.
  ForwardResult forward(std::span<const int64_t> tokens, const KvCache* past = nullptr,
                        std::span<const int64_t> rows = {}, bool want_present = true);

  const Model& model() const { return *model_; }

 private:
  // Runs the compiled graph; `logit_rows` feeds the row-selection input when the model has one.
  std::map<std::string, Tensor> execute(const std::map<std::string, Tensor>& feeds, const Tensor& logit_rows);

  std::shared_ptr<const Model> model_;
  std::unique_ptr<BufferPool> pool_;
};

}  // namespace evalq
