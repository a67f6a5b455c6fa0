#include "mmlu/prompt.h"

#include "mmlu_subjects.h"
#include <evalq/error.h>

namespace evalq {
namespace {

constexpr const char* kLetters[] = {"A", "B", "C", "D"};

// Python's str.strip(): removes leading and trailing whitespace as str.isspace() defines it.
// The ASCII set covers MMLU's text; the Unicode spaces below are the ones str.isspace() adds.
bool is_python_space_at(const std::string& s, size_t i, size_t* len) {
  static const char* const kUnicodeSpaces[] = {
      "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83",
      "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89",
      "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};
  const char c = s[i];
  if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1C' && c <= '\x1F')) {
    *len = 1;
    return true;
  }
  for (const char* u : kUnicodeSpaces) {
    std::string_view sp(u);
    if (s.compare(i, sp.size(), sp) == 0) {
      *len = sp.size();
      return true;
    }
  }
  return false;
}

// Start of the trailing whitespace run (UTF-8 aware: walks back over code points).
size_t trailing_space_start(const std::string& s) {
  size_t end = s.size();
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t len = 0;
    if (!is_python_space_at(s, start, &len) || start + len != end) break;
    end = start;
  }
  return end;
}

std::string python_strip(const std::string& s) {
  size_t begin = 0, len = 0;
  while (begin < s.size() && is_python_space_at(s, begin, &len)) begin += len;
  size_t end = trailing_space_start(s);
  return end > begin ? s.substr(begin, end - begin) : std::string();
}

std::string description(MmluProtocol protocol, const std::string& subject) {
  const std::string words = mmlu_subject_words(subject);
  // hendrycks format_subject() puts " " before every word, after the template's own space.
  const std::string about = protocol == MmluProtocol::LmEval ? " " + words : "  " + words;
  return "The following are multiple choice questions (with answers) about" + about + ".\n\n";
}

std::string question_text(MmluProtocol protocol, const MmluQuestion& q) {
  std::string text = protocol == MmluProtocol::LmEval ? python_strip(q.question) : q.question;
  for (int c = 0; c < 4; ++c) text += std::string("\n") + kLetters[c] + ". " + q.choices[c];
  return text + "\nAnswer:";
}

}  // namespace

MmluProtocol parse_mmlu_protocol(const std::string& name) {
  if (name == "lm-eval") return MmluProtocol::LmEval;
  if (name == "hendrycks") return MmluProtocol::Hendrycks;
  if (name == "modelopt") return MmluProtocol::ModelOpt;
  throw Error("--protocol '" + name + "': expected lm-eval, hendrycks or modelopt");
}

std::string mmlu_protocol_name(MmluProtocol protocol) {
  switch (protocol) {
    case MmluProtocol::LmEval: return "lm-eval";
    case MmluProtocol::Hendrycks: return "hendrycks";
    case MmluProtocol::ModelOpt: return "modelopt";
  }
  return "?";
}

std::string mmlu_fewshot_prefix(MmluProtocol protocol, const std::string& subject,
                                const std::vector<MmluQuestion>& dev, int shots) {
  if (shots > static_cast<int>(dev.size())) {
    throw Error("subject '" + subject + "': " + std::to_string(shots) + " shots asked but its dev file has " +
                std::to_string(dev.size()) + " rows");
  }
  std::string prefix = description(protocol, subject);
  for (int k = 0; k < shots; ++k) {
    prefix += question_text(protocol, dev[k]) + " " + kLetters[dev[k].answer] + "\n\n";
  }
  return prefix;
}

MmluPrompt mmlu_prompt(MmluProtocol protocol, const std::string& subject, const std::vector<MmluQuestion>& dev,
                       int shots, const MmluQuestion& test, int64_t index) {
  MmluPrompt p;
  p.index = index;
  p.gold = test.answer;
  std::string context = mmlu_fewshot_prefix(protocol, subject, dev, shots) + question_text(protocol, test);
  const bool lm_eval = protocol == MmluProtocol::LmEval;
  // lm-eval's _encode_pair moves the context's trailing whitespace into every continuation.
  std::string moved;
  if (lm_eval) {
    size_t cut = trailing_space_start(context);
    moved = context.substr(cut);
    context.resize(cut);
  }
  p.context = std::move(context);
  for (int c = 0; c < 4; ++c) p.continuations[c] = moved + (lm_eval ? " " : "") + kLetters[c];
  return p;
}

}  // namespace evalq
