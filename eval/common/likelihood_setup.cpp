#include "common/likelihood_setup.h"

#include <evalq/error.h>
#include <evalq/sha256.h>

#include <numeric>

#include "registry.h"

namespace evalq {

namespace {

int64_t positive_int(const nlohmann::json& v, const std::string& key, int64_t min) {
  if (!v.is_number_integer() || v.get<int64_t>() < min) {
    throw Error("option '" + key + "' must be an integer >= " + std::to_string(min) + " (got " + v.dump() + ")");
  }
  return v.get<int64_t>();
}

}  // namespace

std::string bos_policy_name(BosPolicy p) {
  switch (p) {
    case BosPolicy::Auto: return "auto";
    case BosPolicy::Always: return "always";
    case BosPolicy::Never: return "never";
  }
  return "?";
}

BosPolicy parse_bos_policy(const std::string& name) {
  if (name == "auto") return BosPolicy::Auto;
  if (name == "always") return BosPolicy::Always;
  if (name == "never") return BosPolicy::Never;
  throw Error("unknown --bos '" + name + "' (known: auto, always, never)");
}

LikelihoodOptions parse_likelihood_options(const nlohmann::json& options, const std::set<std::string>& extra_keys,
                                           WindowMethod default_method) {
  LikelihoodOptions o;
  o.method = default_method;
  for (const auto& [key, v] : options.items()) {
    if (key == "seq") {
      if (v.is_array()) {
        for (const auto& s : v) o.seqs.push_back(positive_int(s, key, 2));
      } else {
        o.seqs.push_back(positive_int(v, key, 2));
      }
    } else if (key == "chunk") {
      o.chunk = positive_int(v, key, 1);
    } else if (key == "method") {
      o.method = parse_window_method(v.get<std::string>());
    } else if (key == "data") {
      o.data = v.get<std::string>();
    } else if (key == "data_dir") {
      o.data_dir = v.get<std::string>();
    } else if (key == "bos") {
      o.bos = parse_bos_policy(v.get<std::string>());
    } else if (key == "max_tokens") {
      o.max_tokens = positive_int(v, key, 0);
    } else if (key == "max_windows") {
      o.max_windows = positive_int(v, key, 0);
    } else if (!extra_keys.count(key)) {
      throw Error("unknown option '" + key + "'");
    }
  }
  return o;
}

TokenizedCorpus tokenize_corpus(const Tokenizer& tokenizer, const LikelihoodOptions& options) {
  std::optional<std::filesystem::path> dir;
  if (options.data_dir) dir = *options.data_dir;
  TextCorpus text = load_text_corpus(options.data, dir);
  TokenizedCorpus c;
  c.data_name = text.name;
  c.text_sha256 = text.sha256;
  std::vector<TokenId> ids = tokenizer.encode_document(text.text, options.bos);
  if (options.max_tokens > 0 && static_cast<int64_t>(ids.size()) > options.max_tokens) ids.resize(options.max_tokens);
  c.ids.assign(ids.begin(), ids.end());
  if (auto b = tokenizer.bos_id()) c.bos_id = *b;
  c.bos_used = c.bos_id && !c.ids.empty() && c.ids.front() == *c.bos_id && options.bos != BosPolicy::Never;
  c.tokens_sha256 = sha256_hex(std::string_view(reinterpret_cast<const char*>(c.ids.data()), c.ids.size() * sizeof(int64_t)));
  return c;
}

std::vector<int64_t> seqs_or_default(const LikelihoodOptions& options) {
  if (!options.seqs.empty()) return options.seqs;
  switch (options.method) {
    case WindowMethod::LlamaCpp: return {512};
    case WindowMethod::ModelOptKld: return {4096};
    default: return {1024};
  }
}

WindowSpec window_spec(const LikelihoodOptions& options, int64_t seq, const TokenizedCorpus& corpus) {
  WindowSpec s;
  s.method = options.method;
  s.seq = seq;
  s.chunk = options.chunk;
  s.bos_overwrite = corpus.bos_used;
  s.max_windows = options.max_windows;
  return s;
}

void check_context_length(const Model& model, int64_t seq) {
  const int64_t context = model.llm().context_length;
  if (context > 0 && seq > context) {
    throw Error("--seq " + std::to_string(seq) + " exceeds the context length " + std::to_string(context) + " of " +
                model.onnx_path().string() + " (positions beyond it were never trained); use --seq <= " +
                std::to_string(context));
  }
}

Tensor run_window(Session& session, std::span<const int64_t> ids, const Window& w, std::optional<int64_t> bos_id) {
  std::vector<int64_t> feed(ids.begin() + w.begin, ids.begin() + w.end);
  if (w.bos_overwrite && bos_id) feed[0] = *bos_id;
  std::vector<int64_t> rows(w.rows());
  std::iota(rows.begin(), rows.end(), w.row_begin);
  return session.forward(feed, nullptr, rows, false).logits;
}

int64_t logits_vocab(const Tensor& logits, const Window& w) {
  if (logits.shape().size() != 2 || logits.dim(0) != w.rows()) {
    throw Error("the model returned logits of shape " + shape_string(logits.shape()) + " for " +
                std::to_string(w.rows()) + " requested rows");
  }
  return logits.dim(1);
}

}  // namespace evalq
