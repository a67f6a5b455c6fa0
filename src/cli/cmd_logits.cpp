#include <evalq/error.h>
#include <evalq/session.h>

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <numeric>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "common/comma_list.h"
#include "io/npy.h"

namespace evalq::cli {
namespace {

// Runs the tokens, optionally in two parts (the second continuing the first's KV cache), and
// returns float32 logits for every token.
Tensor run_tokens(Session& session, const std::vector<int64_t>& ids, int64_t past_split) {
  if (past_split <= 0) return session.forward(ids).logits;
  if (past_split >= static_cast<int64_t>(ids.size())) {
    throw evalq::Error("--past-split " + std::to_string(past_split) + " must be below the token count " +
                std::to_string(ids.size()));
  }
  std::span<const int64_t> all(ids);
  ForwardResult first = session.forward(all.first(past_split));
  ForwardResult second = session.forward(all.subspan(past_split), &first.present);
  const int64_t vocab = first.logits.dim(1);
  Tensor logits = Tensor::empty(DType::Float32, {static_cast<int64_t>(ids.size()), vocab});
  std::memcpy(logits.mutable_data<float>(), first.logits.data<float>(), first.logits.nbytes());
  std::memcpy(logits.mutable_data<float>() + past_split * vocab, second.logits.data<float>(), second.logits.nbytes());
  return logits;
}

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::string model, tokens, out;
    int64_t past_split = 0;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("MODEL", o->model, "A .onnx file or a folder holding model.onnx")->required();
  sub.add_option("--tokens", o->tokens, "Comma-separated token ids")->required();
  sub.add_option("--past-split", o->past_split,
                 "Run the first N tokens, then the rest with the returned KV cache as past");
  sub.add_option("--out", o->out, "Write float32 logits [tokens, vocab] to this .npy file");
  auto engine = add_engine_flags(sub);
  return [o, engine] {
    Session session(load_model(o->model, engine_options(*engine)));
    std::vector<int64_t> ids = parse_integer_list(o->tokens, "--tokens", "an integer token id");
    Tensor logits = run_tokens(session, ids, o->past_split);
    if (!o->out.empty()) {
      write_npy(o->out, logits);
      std::cout << "wrote logits " << shape_string(logits.shape()) << " to " << o->out << "\n";
      return 0;
    }
    const int64_t vocab = logits.dim(1);
    const float* last = logits.data<float>() + (logits.dim(0) - 1) * vocab;
    std::vector<int64_t> order(vocab);
    std::iota(order.begin(), order.end(), 0);
    const int64_t k = std::min<int64_t>(5, vocab);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) { return last[a] > last[b]; });
    std::cout << "top-" << k << " logits after the last token:\n";
    for (int64_t i = 0; i < k; ++i) {
      std::cout << "  id " << std::setw(7) << order[i] << "  logit " << std::fixed << std::setprecision(6)
                << last[order[i]] << "\n";
    }
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(logits, "Run token ids through a model and write or show its logits", setup);

}  // namespace evalq::cli
