#include <evalq/error.h>
#include <evalq/session.h>

#include <cstring>

#include "exec/compiled_graph.h"

namespace evalq {

Session::Session(std::shared_ptr<const Model> model) : model_(std::move(model)), pool_(std::make_unique<BufferPool>()) {}

Session::~Session() = default;

namespace {

void check_feed(const TensorSpec& spec, const Tensor& t, const std::string& model_path) {
  auto where = [&] { return model_path + ": input '" + spec.name + "'"; };
  if (spec.dtype != DType::Undefined && t.dtype() != spec.dtype) {
    throw Error(where() + " expects " + dtype_name(spec.dtype) + ", got " + dtype_name(t.dtype()));
  }
  if (!spec.has_shape) return;
  if (t.rank() != spec.dims.size()) {
    throw Error(where() + " expects rank " + std::to_string(spec.dims.size()) + " " + shape_string(spec.dims) +
                ", got shape " + shape_string(t.shape()));
  }
  for (size_t i = 0; i < spec.dims.size(); ++i) {
    if (spec.dims[i] >= 0 && spec.dims[i] != t.shape()[i]) {
      throw Error(where() + " expects dimension " + std::to_string(i) + " = " + std::to_string(spec.dims[i]) +
                  ", got shape " + shape_string(t.shape()));
    }
  }
}

Tensor integer_tensor(DType dtype, Shape shape, const std::function<int64_t(int64_t)>& value) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (dtype == DType::Int32) t.mutable_data<int32_t>()[i] = static_cast<int32_t>(value(i));
    else t.mutable_data<int64_t>()[i] = value(i);
  }
  return t;
}

const TensorSpec& spec_named(const Model& m, const std::string& name) {
  for (const auto& s : m.inputs()) {
    if (s.name == name) return s;
  }
  throw Error(m.onnx_path().string() + " has no input '" + name + "'");
}

DType int_type(const TensorSpec& s) { return s.dtype == DType::Int32 ? DType::Int32 : DType::Int64; }

}  // namespace

std::map<std::string, Tensor> Session::run(const std::map<std::string, Tensor>& feeds) {
  Tensor rows;
  if (model_->selects_logit_rows()) {
    // Generic callers get every position's logits.
    auto ids = feeds.find(model_->llm().input_ids);
    int64_t seq = ids == feeds.end() || ids->second.rank() != 2 ? 0 : ids->second.dim(1);
    rows = integer_tensor(DType::Int64, {seq}, [](int64_t i) { return i; });
  }
  return execute(feeds, rows);
}

std::map<std::string, Tensor> Session::execute(const std::map<std::string, Tensor>& feeds, const Tensor& logit_rows) {
  const auto& specs = model_->inputs();
  std::vector<Tensor> inputs;
  inputs.reserve(specs.size());
  for (const auto& spec : specs) {
    auto it = feeds.find(spec.name);
    if (it == feeds.end()) {
      throw Error(model_->onnx_path().string() + ": missing input '" + spec.name + "' (" + dtype_name(spec.dtype) +
                  " " + (spec.has_shape ? shape_string(spec.dims) : std::string("[?]")) + ")");
    }
    check_feed(spec, it->second, model_->onnx_path().string());
    inputs.push_back(it->second);
  }
  for (const auto& [name, _] : feeds) {
    bool known = std::any_of(specs.begin(), specs.end(), [&](const TensorSpec& s) { return s.name == name; });
    if (!known) throw Error(model_->onnx_path().string() + " has no input named '" + name + "'");
  }
  if (model_->selects_logit_rows()) inputs.push_back(logit_rows);
  auto outputs = model_->graph().run(std::move(inputs), *pool_);
  pool_->end_run();
  std::map<std::string, Tensor> named;
  for (size_t i = 0; i < outputs.size(); ++i) named[model_->outputs()[i].name] = std::move(outputs[i]);
  return named;
}

ForwardResult Session::forward(std::span<const int64_t> tokens, const KvCache* past, std::span<const int64_t> rows,
                               bool want_present) {
  const LlmLayout& l = model_->llm();
  const int64_t seq = static_cast<int64_t>(tokens.size());
  if (seq == 0) throw Error("forward: no tokens to run");
  int64_t past_len = past ? past->length : 0;
  if (past && l.has_kv_cache() &&
      (past->keys.size() != l.past_keys.size() || past->values.size() != l.past_values.size())) {
    throw Error("forward: the past KV cache has " + std::to_string(past->keys.size()) + " layers, the model " +
                std::to_string(l.layers()));
  }
  if (past_len > 0 && !l.has_kv_cache()) throw Error(model_->onnx_path().string() + " has no KV-cache inputs");

  // Optimum merged decoders take dummy one-token past tensors on the no-cache branch.
  const bool merged_first_step = !l.use_cache_branch.empty() && past_len == 0;
  const int64_t fed_past = merged_first_step ? 1 : past_len;

  std::map<std::string, Tensor> feeds;
  const auto& ids_spec = spec_named(*model_, l.input_ids);
  feeds[l.input_ids] = integer_tensor(int_type(ids_spec), {1, seq}, [&](int64_t i) { return tokens[i]; });
  if (!l.attention_mask.empty()) {
    int64_t mask_len = merged_first_step ? seq : past_len + seq;
    feeds[l.attention_mask] =
        integer_tensor(int_type(spec_named(*model_, l.attention_mask)), {1, mask_len}, [](int64_t) { return 1; });
  }
  if (!l.position_ids.empty()) {
    feeds[l.position_ids] = integer_tensor(int_type(spec_named(*model_, l.position_ids)), {1, seq},
                                           [&](int64_t i) { return past_len + i; });
  }
  if (!l.use_cache_branch.empty()) {
    Tensor flag = Tensor::empty(DType::Bool, {1});
    flag.mutable_data<uint8_t>()[0] = past_len > 0;
    feeds[l.use_cache_branch] = flag;
  }
  for (int64_t layer = 0; layer < l.layers(); ++layer) {
    if (l.combined_kv) {
      feeds[l.past_keys[layer]] =
          past_len > 0 ? past->keys[layer] : Tensor::zeros(l.kv_dtype, {2, 1, l.kv_heads, fed_past, l.head_size});
    } else if (past_len > 0) {
      feeds[l.past_keys[layer]] = past->keys[layer];
      feeds[l.past_values[layer]] = past->values[layer];
    } else {
      Shape shape{1, l.kv_heads, fed_past, l.head_size};
      feeds[l.past_keys[layer]] = Tensor::zeros(l.kv_dtype, shape);
      feeds[l.past_values[layer]] = Tensor::zeros(l.kv_dtype, shape);
    }
  }

  for (int64_t r : rows) {
    if (r < 0 || r >= seq) {
      throw Error("forward: row " + std::to_string(r) + " outside the " + std::to_string(seq) + " tokens run");
    }
  }
  const int64_t wanted = rows.empty() ? seq : static_cast<int64_t>(rows.size());
  const bool graph_selects = model_->selects_logit_rows();
  Tensor row_ids;
  if (graph_selects) {
    row_ids = integer_tensor(DType::Int64, {wanted}, [&](int64_t i) { return rows.empty() ? i : rows[i]; });
  }
  auto outputs = execute(feeds, row_ids);
  Tensor logits = to_float32(outputs.at(l.logits));
  const int64_t produced = graph_selects ? wanted : seq;
  if (logits.rank() != 3 || logits.dim(0) != 1 || logits.dim(1) != produced) {
    throw Error(model_->onnx_path().string() + ": logits have shape " + shape_string(logits.shape()) +
                ", expected [1, " + std::to_string(produced) + ", vocab]");
  }
  const int64_t vocab = logits.dim(2);
  ForwardResult result;
  if (graph_selects || rows.empty()) {
    result.logits = logits.reshaped({produced, vocab});
  } else {
    result.logits = Tensor::empty(DType::Float32, {wanted, vocab});
    for (int64_t r = 0; r < wanted; ++r) {
      std::memcpy(result.logits.mutable_data<float>() + r * vocab, logits.data<float>() + rows[r] * vocab,
                  sizeof(float) * vocab);
    }
  }
  if (want_present && l.has_kv_cache()) {
    for (int64_t layer = 0; layer < l.layers(); ++layer) {
      result.present.keys.push_back(outputs.at(l.present_keys[layer]));
      if (!l.combined_kv) result.present.values.push_back(outputs.at(l.present_values[layer]));
    }
    result.present.length = past_len + seq;
  }
  return result;
}

}  // namespace evalq
