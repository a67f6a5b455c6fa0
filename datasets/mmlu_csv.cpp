#include "mmlu_csv.h"

#include <evalq/error.h>
#include <evalq/file_bytes.h>


namespace fs = std::filesystem;

namespace evalq {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not well-formed (overlong
// forms, surrogates and code points above U+10FFFF included).
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void check_utf8(std::string_view text, const std::string& source) {
  int64_t line = 1;
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_length(text, i);
    if (n == 0) {
      throw Error(source + ":" + std::to_string(line) + ": invalid UTF-8 byte at offset " + std::to_string(i));
    }
    if (text[i] == '\n') ++line;
    i += n;
  }
}

}  // namespace

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& source) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  check_utf8(text, source);
  std::vector<CsvRecord> records;
  int64_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  auto at_record_end = [&](size_t k) { return k >= n || text[k] == '\n' || (text[k] == '\r' && k + 1 < n && text[k + 1] == '\n'); };
  while (i < n) {
    CsvRecord record;
    record.line = line;
    while (true) {
      std::string field;
      if (i < n && text[i] == '"') {
        const int64_t opened = line;
        ++i;
        while (true) {
          if (i >= n) throw Error(source + ":" + std::to_string(opened) + ": quoted field is never closed");
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (!(at_record_end(i) || text[i] == ',')) {
          throw Error(source + ":" + std::to_string(line) + ": unexpected text after a closing quote");
        }
      } else {
        while (i < n && text[i] != ',' && !at_record_end(i)) field += text[i++];
      }
      record.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < n) {
      i += text[i] == '\r' ? 2 : 1;
      ++line;
    }
    // A blank line is no record, as in Python's csv module.
    if (record.fields.size() == 1 && record.fields[0].empty()) continue;
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<MmluQuestion> read_mmlu_csv(const fs::path& file) {
  const std::string source = file.string();
  std::vector<CsvRecord> records = parse_csv(read_file_bytes(file, "missing subject file?"), source);
  bool header = !records.empty() && records[0].fields.size() == 6 && records[0].fields[0] == "question" &&
                records[0].fields[5] == "answer";
  std::vector<MmluQuestion> questions;
  for (size_t r = header ? 1 : 0; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    const std::string where = source + ":" + std::to_string(rec.line) + ": ";
    if (rec.fields.size() != 6) {
      throw Error(where + "expected 6 fields (question, 4 choices, answer), found " + std::to_string(rec.fields.size()));
    }
    MmluQuestion q;
    q.question = rec.fields[0];
    for (int c = 0; c < 4; ++c) q.choices[c] = rec.fields[c + 1];
    const std::string& a = rec.fields[5];
    if (a.size() == 1 && a[0] >= 'A' && a[0] <= 'D') {
      q.answer = a[0] - 'A';
    } else if (header && a.size() == 1 && a[0] >= '0' && a[0] <= '3') {
      q.answer = a[0] - '0';
    } else {
      throw Error(where + "answer '" + a + "' is not one of " + (header ? "0-3" : "A-D"));
    }
    q.line = rec.line;
    questions.push_back(std::move(q));
  }
  return questions;
}

}  // namespace evalq
