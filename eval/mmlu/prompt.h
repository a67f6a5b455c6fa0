#pragma once

// MMLU prompts, byte for byte as each reference tool builds them (docs/mmlu.md):
//   lm-eval:   "The following are multiple choice questions (with answers) about abstract algebra.\n\n"
//              + shots as "{q.strip()}\nA. ..\nB. ..\nC. ..\nD. ..\nAnswer: {L}\n\n" + test "...\nAnswer:"
//   hendrycks / modelopt: the same with a double space before the subject words, the question not
//              stripped (hendrycks format_subject / format_example).
#include "mmlu_csv.h"

#include <array>
#include <string>
#include <vector>

namespace evalq {

enum class MmluProtocol { LmEval, Hendrycks, ModelOpt };

// Throws evalq::Error on an unknown name (lm-eval, hendrycks, modelopt).
MmluProtocol parse_mmlu_protocol(const std::string& name);
std::string mmlu_protocol_name(MmluProtocol protocol);

struct MmluPrompt {
  int64_t index = 0;      // row of the test file (0-based)
  std::string context;    // after lm-eval's trailing-whitespace move
  std::array<std::string, 4> continuations;  // what is scored: " A".." D" (lm-eval), "A".."D" otherwise
  int gold = 0;
};

// The description + `shots` examples every question of the subject starts with.
std::string mmlu_fewshot_prefix(MmluProtocol protocol, const std::string& subject,
                                const std::vector<MmluQuestion>& dev, int shots);

// The full prompt of `test` after `shots` dev examples. Throws evalq::Error when the subject has
// fewer than `shots` dev rows.
MmluPrompt mmlu_prompt(MmluProtocol protocol, const std::string& subject, const std::vector<MmluQuestion>& dev,
                       int shots, const MmluQuestion& test, int64_t index);

}  // namespace evalq
