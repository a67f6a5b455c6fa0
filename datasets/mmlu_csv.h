#pragma once

// MMLU question files: `<subject>_{dev,test}.csv`, read as CSV records (quoted fields may hold
// commas, doubled quotes and newlines), in either of the two published layouts:
//   hendrycks: no header, `question,A,B,C,D,answer_letter`
//   HF export: header `question,choice0,choice1,choice2,choice3,answer`, answer 0..3
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace evalq {

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;  // 1-based line where the record starts
};

// Parses CSV text as Python's csv module (excel dialect) reads it: LF or CRLF record ends,
// quoted fields keep their bytes (newlines included) with "" meaning one quote. Throws
// evalq::Error "<source>:<line>: ..." on an unterminated quote, text after a closing quote or
// invalid UTF-8.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& source);

struct MmluQuestion {
  std::string question;
  std::array<std::string, 4> choices;
  int answer = 0;    // 0..3 = A..D
  int64_t line = 0;  // where the row starts in its file
};

// Reads one question file. Errors name the file and line: a row without 6 fields, an answer that
// is not A-D (or 0-3 in the header layout), a missing file.
std::vector<MmluQuestion> read_mmlu_csv(const std::filesystem::path& file);

}  // namespace evalq
