#include "ppl/window_plan.h"

#include <evalq/error.h>

#include <algorithm>
#include <sstream>

namespace evalq {

namespace {

const std::pair<WindowMethod, const char*> kMethodNames[] = {
    {WindowMethod::ModelOpt, "modelopt"},
    {WindowMethod::Hf, "hf"},
    {WindowMethod::LlamaCpp, "llamacpp"},
    {WindowMethod::ModelOptKld, "modelopt-kld"},
};

void require_corpus(int64_t tokens, int64_t need, const WindowSpec& spec, const std::string& why) {
  if (tokens < need) {
    throw Error("the data has " + std::to_string(tokens) + " tokens, fewer than the " + std::to_string(need) +
                " that method " + window_method_name(spec.method) + " with --seq " + std::to_string(spec.seq) +
                " needs (" + why + "); use more data or a smaller --seq");
  }
}

// ModelOpt runs each window through ORT-GenAI with prefill in `chunk`-token pieces, which returns
// the logits of the last piece only; the script then scores the last min(end - prev_end, chunk) - 1
// targets of the window with the first rows of those logits. That lines up only when the window
// length is a multiple of the chunk, hence the requirement seq % chunk == 0.
std::vector<Window> plan_modelopt(int64_t n, const WindowSpec& spec) {
  if (spec.seq % spec.chunk != 0) {
    throw Error("method modelopt needs --seq to be a multiple of --chunk (got seq " + std::to_string(spec.seq) +
                ", chunk " + std::to_string(spec.chunk) + "): ModelOpt scores the last chunk's logits only");
  }
  require_corpus(n, spec.seq, spec, "one full window");
  std::vector<Window> out;
  int64_t prev_end = 0;
  for (int64_t begin = 0; begin < n; begin += spec.chunk) {
    const int64_t end = std::min(begin + spec.seq, n);
    const int64_t trg = std::min(end - prev_end, spec.chunk);
    const int64_t len = end - begin;
    if (trg > 1) out.push_back({begin, end, len - trg, len - 1, false});
    prev_end = end;
    if (end == n) break;
  }
  return out;
}

std::vector<Window> plan_hf(int64_t n, const WindowSpec& spec) {
  if (spec.chunk > spec.seq) {
    throw Error("method hf needs --chunk (the stride) <= --seq (got chunk " + std::to_string(spec.chunk) +
                ", seq " + std::to_string(spec.seq) + ")");
  }
  require_corpus(n, 2, spec, "at least one target");
  std::vector<Window> out;
  int64_t prev_end = 0;
  for (int64_t begin = 0; begin < n; begin += spec.chunk) {
    const int64_t end = std::min(begin + spec.seq, n);
    const int64_t trg = end - prev_end;
    const int64_t len = end - begin;
    // Labels before len - trg are masked; position 0 of a window never has a prediction.
    const int64_t first_target = std::max<int64_t>(1, len - trg);
    out.push_back({begin, end, first_target - 1, len - 1, false});
    prev_end = end;
    if (end == n) break;
  }
  return out;
}

std::vector<Window> plan_llamacpp(int64_t n, const WindowSpec& spec) {
  if (spec.seq < 4) throw Error("method llamacpp needs --seq >= 4");
  require_corpus(n, spec.seq, spec, "one full window");
  std::vector<Window> out;
  for (int64_t i = 0; (i + 1) * spec.seq <= n; ++i) {
    out.push_back({i * spec.seq, (i + 1) * spec.seq, spec.seq / 2, spec.seq - 1, spec.bos_overwrite});
  }
  return out;
}

std::vector<Window> plan_modelopt_kld(int64_t n, const WindowSpec& spec) {
  require_corpus(n, 1, spec, "at least one token");
  std::vector<Window> out;
  for (int64_t begin = 0; begin < n; begin += spec.seq) {
    const int64_t end = std::min(begin + spec.seq, n);
    out.push_back({begin, end, 0, end - begin, false});
  }
  return out;
}

}  // namespace

std::string window_method_name(WindowMethod m) {
  for (const auto& [method, name] : kMethodNames) {
    if (method == m) return name;
  }
  return "?";
}

WindowMethod parse_window_method(const std::string& name) {
  std::string known;
  for (const auto& [method, n] : kMethodNames) {
    if (name == n) return method;
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  throw Error("unknown --method '" + name + "' (known: " + known + ")");
}

std::vector<Window> plan_windows(int64_t tokens, const WindowSpec& spec) {
  if (spec.seq < 2) throw Error("--seq must be at least 2 (got " + std::to_string(spec.seq) + ")");
  if (spec.chunk < 1) throw Error("--chunk must be at least 1 (got " + std::to_string(spec.chunk) + ")");
  if (tokens == 0) throw Error("the data holds no tokens");
  std::vector<Window> out;
  switch (spec.method) {
    case WindowMethod::ModelOpt: out = plan_modelopt(tokens, spec); break;
    case WindowMethod::Hf: out = plan_hf(tokens, spec); break;
    case WindowMethod::LlamaCpp: out = plan_llamacpp(tokens, spec); break;
    case WindowMethod::ModelOptKld: out = plan_modelopt_kld(tokens, spec); break;
  }
  if (spec.max_windows > 0 && static_cast<int64_t>(out.size()) > spec.max_windows) out.resize(spec.max_windows);
  return out;
}

int64_t scored_targets(const Window& w) {
  return std::max<int64_t>(0, std::min(w.row_end, w.length() - 1) - w.row_begin);
}

std::string describe_plan(const WindowSpec& spec, const std::vector<Window>& windows) {
  std::ostringstream s;
  s << window_method_name(spec.method) << " seq=" << spec.seq << " chunk=" << spec.chunk;
  for (const Window& w : windows) {
    s << ";" << w.begin << "," << w.end << "," << w.row_begin << "," << w.row_end << "," << w.bos_overwrite;
  }
  return s.str();
}

}  // namespace evalq
