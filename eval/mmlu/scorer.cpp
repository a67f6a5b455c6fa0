#include "mmlu/scorer.h"

#include <evalq/error.h>

#include "common/progress.h"
#include "common/row_stats.h"

#include <algorithm>

namespace evalq {

struct MmluScorer::Item {
  MmluAnswer answer;
  std::vector<int64_t> context;                    // context token ids
  std::array<std::vector<int64_t>, 4> continuation; // lm-eval: each choice's tokens
};

namespace {

std::vector<int64_t> widen(const std::vector<TokenId>& ids) { return {ids.begin(), ids.end()}; }

// ModelOpt's test is pred.strip().startswith(label); MMLU generations only carry ASCII spacing.
std::string strip_spaces(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

}  // namespace

MmluScorer::MmluScorer(std::shared_ptr<const Model> model, const Tokenizer& tokenizer, MmluScoringOptions options)
    : model_(std::move(model)), tokenizer_(tokenizer), options_(options),
      session_(std::make_unique<Session>(model_)) {
  if (options_.max_length <= 0) throw Error("mmlu: max_length must be positive");
  // hendrycks evaluate_hf.py scores tokenizer("A").input_ids[-1]: the letter as the tokenizer
  // spells it at the start of a text (with SentencePiece that is "▁A").
  for (int c = 0; c < 4; ++c) {
    std::vector<TokenId> ids = tokenizer_.encode(std::string(1, static_cast<char>('A' + c)), true);
    if (ids.empty()) throw Error("mmlu: the tokenizer encodes the letter " + std::string(1, 'A' + c) + " to no tokens");
    letter_ids_[c] = ids.back();
  }
}

MmluScorer::~MmluScorer() = default;

MmluScorer::Item MmluScorer::prepare(const std::string& subject, const std::vector<MmluQuestion>& dev, int shots,
                                     const MmluQuestion& question, int64_t index) const {
  Item item;
  MmluAnswer& a = item.answer;
  a.index = index;
  a.gold = question.answer;
  a.shots = shots;
  a.prompt = mmlu_prompt(options_.protocol, subject, dev, shots, question, index);
  const int64_t max_len = options_.max_length;
  switch (options_.protocol) {
    case MmluProtocol::LmEval: {
      // lm-eval _encode_pair: encode context and context+continuation (no special tokens, the
      // HF causal-LM default) and take the whole encoding's tokens past the context's length.
      item.context = widen(tokenizer_.encode(a.prompt.context, false));
      for (int c = 0; c < 4; ++c) {
        std::vector<int64_t> whole = widen(tokenizer_.encode(a.prompt.context + a.prompt.continuations[c], false));
        if (whole.size() <= item.context.size()) {
          throw Error("mmlu: continuation '" + a.prompt.continuations[c] + "' adds no tokens to the context of " +
                      subject + " question " + std::to_string(index));
        }
        item.continuation[c].assign(whole.begin() + item.context.size(), whole.end());
        if (static_cast<int64_t>(item.context.size() + item.continuation[c].size()) > max_len + 1) a.truncated = true;
      }
      if (item.context.empty()) throw Error("mmlu: empty context for " + subject + " question " + std::to_string(index));
      break;
    }
    case MmluProtocol::Hendrycks: {
      // evaluate_hf.py drops shots while the prompt is longer than the model takes.
      item.context = widen(tokenizer_.encode(a.prompt.context, true));
      while (static_cast<int64_t>(item.context.size()) > max_len && a.shots > 0) {
        --a.shots;
        a.prompt = mmlu_prompt(options_.protocol, subject, dev, a.shots, question, index);
        item.context = widen(tokenizer_.encode(a.prompt.context, true));
        a.truncated = true;
      }
      if (static_cast<int64_t>(item.context.size()) > max_len) {
        item.context.erase(item.context.begin(), item.context.end() - max_len);
        a.truncated = true;
      }
      break;
    }
    case MmluProtocol::ModelOpt: {
      item.context = widen(tokenizer_.encode(a.prompt.context, true));
      a.skipped = static_cast<int64_t>(item.context.size()) + 2 > max_len;
      break;
    }
  }
  return item;
}

void MmluScorer::score(Item& item, const KvCache* prefix, int64_t prefix_len) {
  MmluAnswer& a = item.answer;
  if (a.skipped) return;
  std::span<const int64_t> context(item.context);
  const bool lm_eval = options_.protocol == MmluProtocol::LmEval;

  if (lm_eval && a.truncated) {
    // lm-eval: (context + continuation)[-(max_length+1):][:-1], one run per choice, no reuse.
    for (int c = 0; c < 4; ++c) {
      std::vector<int64_t> full(item.context);
      full.insert(full.end(), item.continuation[c].begin(), item.continuation[c].end());
      const int64_t keep = std::min<int64_t>(full.size(), options_.max_length + 1);
      std::vector<int64_t> input(full.end() - keep, full.end() - 1);
      const int64_t m = static_cast<int64_t>(item.continuation[c].size());
      std::vector<int64_t> rows;
      for (int64_t j = 0; j < m; ++j) rows.push_back(static_cast<int64_t>(input.size()) - m + j);
      ForwardResult r = session_->forward(input, nullptr, rows, false);
      const int64_t vocab = r.logits.dim(1);
      double ll = 0;
      for (int64_t j = 0; j < m; ++j) {
        const float* row = r.logits.data<float>() + j * vocab;
        ll += log_prob(row, row_stats(row, vocab), item.continuation[c][j]);
      }
      a.ll[c] = ll;
    }
  } else {
    bool multi_token = false;
    if (lm_eval) {
      for (const auto& cont : item.continuation) multi_token |= cont.size() > 1;
    }
    const bool generate = options_.protocol == MmluProtocol::ModelOpt;
    const int64_t suffix_len = static_cast<int64_t>(context.size()) - prefix_len;
    const int64_t last = suffix_len - 1;
    ForwardResult r = session_->forward(context.subspan(prefix_len), prefix_len > 0 ? prefix : nullptr,
                                        std::span<const int64_t>(&last, 1), multi_token || generate);
    const int64_t vocab = r.logits.dim(1);
    const float* row = r.logits.data<float>();
    const RowStats stats = row_stats(row, vocab);
    for (int c = 0; c < 4; ++c) {
      const int64_t first = lm_eval ? item.continuation[c][0] : letter_ids_[c];
      a.ll[c] = log_prob(row, stats, first);
      if (!lm_eval || item.continuation[c].size() == 1) continue;
      const auto& cont = item.continuation[c];
      std::vector<int64_t> input(cont.begin(), cont.end() - 1);
      ForwardResult rest = session_->forward(input, &r.present, {}, false);
      for (size_t j = 0; j + 1 < cont.size(); ++j) {
        const float* rrow = rest.logits.data<float>() + j * vocab;
        a.ll[c] += log_prob(rrow, row_stats(rrow, vocab), cont[j + 1]);
      }
    }
    if (generate) {
      // ModelOpt: greedy generation of 2 tokens, correct when the stripped text starts with the
      // gold letter.
      const int64_t t1 = stats.argmax;
      ForwardResult second = session_->forward(std::span<const int64_t>(&t1, 1), &r.present, {}, false);
      const int64_t t2 = row_stats(second.logits.data<float>(), vocab).argmax;
      std::vector<TokenId> ids = {static_cast<TokenId>(t1), static_cast<TokenId>(t2)};
      a.generated = tokenizer_.decode(ids, true);
      const std::string stripped = strip_spaces(a.generated);
      a.pred = !stripped.empty() && stripped[0] >= 'A' && stripped[0] <= 'D' ? stripped[0] - 'A' : -1;
      a.correct = a.pred == a.gold;
      return;
    }
  }
  a.pred = static_cast<int>(std::max_element(a.ll.begin(), a.ll.end()) - a.ll.begin());
  a.correct = a.pred == a.gold;
}

std::vector<MmluAnswer> MmluScorer::score_subject(const std::string& subject, const std::vector<MmluQuestion>& dev,
                                                  int shots, const std::vector<MmluQuestion>& test, size_t first_scored,
                                                  size_t last_scored) {
  last_scored = std::min(last_scored, test.size());
  first_scored = std::min(first_scored, last_scored);
  std::vector<Item> items;
  items.reserve(test.size());
  for (size_t i = 0; i < test.size(); ++i) items.push_back(prepare(subject, dev, shots, test[i], static_cast<int64_t>(i)));

  // The shared prefix: the longest run of tokens every reusable question starts with, leaving at
  // least the last context token (whose logits are scored) to each question.
  int64_t prefix_len = 0;
  const std::vector<int64_t>* first = nullptr;
  if (options_.prefix_reuse) {
    for (const Item& item : items) {
      if (item.answer.skipped || item.answer.truncated) continue;
      const int64_t cap = static_cast<int64_t>(item.context.size()) - 1;
      if (!first) {
        first = &item.context;
        prefix_len = cap;
        continue;
      }
      int64_t common = 0;
      while (common < prefix_len && common < cap && (*first)[common] == item.context[common]) ++common;
      prefix_len = common;
    }
  }
  KvCache prefix;
  if (prefix_len > 0) {
    std::span<const int64_t> tokens(first->data(), prefix_len);
    const int64_t last = prefix_len - 1;
    prefix = session_->forward(tokens, nullptr, std::span<const int64_t>(&last, 1), true).present;
  }
  last_prefix_tokens_ = prefix_len;

  Progress progress(subject, static_cast<int64_t>(last_scored - first_scored), "q");
  std::vector<MmluAnswer> answers;
  int64_t correct = 0, done = 0;
  for (size_t i = first_scored; i < last_scored; ++i) {
    Item& item = items[i];
    const bool reusable = prefix_len > 0 && !item.answer.truncated && !item.answer.skipped;
    score(item, reusable ? &prefix : nullptr, reusable ? prefix_len : 0);
    correct += item.answer.correct ? 1 : 0;
    ++done;
    progress.advance(1, "acc " + std::to_string(100.0 * correct / done).substr(0, 5) + "%");
    answers.push_back(std::move(item.answer));
  }
  progress.finish();
  return answers;
}

}  // namespace evalq
