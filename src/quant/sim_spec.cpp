#include "quant/sim_spec.h"

#include <evalq/error.h>

#include <cctype>

namespace evalq {
namespace {

[[noreturn]] void fail_at(std::string_view text, size_t pos, const std::string& what) {
  std::string caret(pos, ' ');
  throw Error("bad --sim spec: " + what + "\n  " + std::string(text) + "\n  " + caret + "^");
}

std::string trim_copy(std::string_view s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// Position of the first non-blank character of s[begin, end) within the full text.
size_t first_char(std::string_view text, size_t begin, size_t end) {
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  return begin;
}

int64_t parse_count(std::string_view text, size_t pos, const std::string& value, const char* what) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 9) {
    fail_at(text, pos, std::string(what) + " must be a positive integer, got '" + value + "'");
  }
  int64_t v = std::stoll(value);
  if (v <= 0) fail_at(text, pos, std::string(what) + " must be positive");
  return v;
}

void parse_option(std::string_view text, size_t pos, const std::string& item, SimRule& rule) {
  auto eq = item.find('=');
  std::string key = trim_copy(item.substr(0, eq));
  std::string value = eq == std::string::npos ? "" : trim_copy(item.substr(eq + 1));
  size_t value_pos = pos + (eq == std::string::npos ? 0 : eq + 1);
  auto no_value = [&] {
    if (eq != std::string::npos) fail_at(text, pos, "option '" + key + "' takes no value");
  };
  if (key == "block") {
    rule.block = parse_count(text, value_pos, value, "block");
    if (rule.block < 16 || (rule.block & (rule.block - 1)) != 0) {
      fail_at(text, value_pos, "block must be a power of two >= 16 (as MatMulNBits requires), got " + value);
    }
  } else if (key == "channel") {
    no_value();
    rule.block = 0;
  } else if (key == "sym") {
    no_value();
    rule.symmetric = true;
  } else if (key == "asym") {
    no_value();
    rule.symmetric = false;
  } else if (key == "algo") {
    if (value == "ort" || value == "rtn") rule.algo = SimAlgo::Ort;
    else if (value == "modelopt") rule.algo = SimAlgo::ModelOpt;
    else fail_at(text, value_pos, "algo must be ort, rtn or modelopt, got '" + value + "'");
  } else if (key == "act") {
    if (value != "int8" && value != "fp32") fail_at(text, value_pos, "act must be int8 or fp32, got '" + value + "'");
    rule.act_int8 = value == "int8";
  } else if (key == "lm_head") {
    if (value != "yes" && value != "no") fail_at(text, value_pos, "lm_head must be yes or no, got '" + value + "'");
    rule.lm_head = value == "yes";
  } else {
    fail_at(text, pos, "unknown option '" + key + "' (expected block=N, channel, sym, asym, algo=, act=, lm_head=)");
  }
}

void parse_pattern(std::string_view text, size_t pos, const std::string& item, SimRule& rule) {
  if (item.empty()) fail_at(text, pos, "empty pattern");
  for (std::string sel : {"first:", "last:"}) {
    if (item.rfind(sel, 0) == 0) {
      int64_t n = parse_count(text, pos + sel.size(), item.substr(sel.size()), "layer count");
      (sel[0] == 'f' ? rule.first_layers : rule.last_layers) = n;
      return;
    }
  }
  rule.patterns.push_back(item);
}

// Splits text[begin, end) at `sep`, calling f(item_start, item_text) with trimmed items.
template <typename F>
void for_each_item(std::string_view text, size_t begin, size_t end, char sep, F f) {
  size_t start = begin;
  for (size_t i = begin; i <= end; ++i) {
    if (i == end || text[i] == sep) {
      f(first_char(text, start, i), trim_copy(text.substr(start, i - start)));
      start = i + 1;
    }
  }
}

SimRule parse_rule(std::string_view text, size_t begin, size_t end) {
  SimRule rule;
  rule.text = trim_copy(text.substr(begin, end - begin));
  size_t at = std::min(text.find('@', begin), end);
  size_t colon = std::min(text.find(':', begin), at);
  std::string format = trim_copy(text.substr(begin, colon - begin));
  size_t fpos = first_char(text, begin, colon);
  if (format == "int4") rule.format = SimFormat::Int4;
  else if (format == "int8") rule.format = SimFormat::Int8;
  else if (format == "fp8") rule.format = SimFormat::Fp8;
  else if (format == "none") rule.format = SimFormat::None;
  else fail_at(text, fpos, "unknown format '" + format + "' (expected int4, int8, fp8 or none)");
  // Defaults: Model Builder's int4 (block 32, symmetric); int8/fp8 per output channel.
  rule.block = rule.format == SimFormat::Int4 ? 32 : 0;
  if (colon < at) {
    for_each_item(text, colon + 1, at, ',', [&](size_t pos, const std::string& item) {
      if (item.empty()) fail_at(text, pos, "empty option");
      parse_option(text, pos, item, rule);
    });
  }
  if (at < end) {
    for_each_item(text, at + 1, end, ',', [&](size_t pos, const std::string& item) { parse_pattern(text, pos, item, rule); });
  }
  if (rule.format == SimFormat::Fp8 && rule.block != 0) fail_at(text, fpos, "fp8 is per output channel; drop block=");
  if (rule.format == SimFormat::Fp8 && (rule.act_int8 || !rule.symmetric)) {
    fail_at(text, fpos, "fp8 is symmetric with fp32 activations");
  }
  if (rule.algo == SimAlgo::ModelOpt && (rule.format != SimFormat::Int4 || !rule.symmetric || rule.block == 0)) {
    fail_at(text, fpos, "algo=modelopt is ModelOpt's blocked symmetric INT4 RTN");
  }
  if (rule.act_int8 && (rule.block == 0 || rule.algo == SimAlgo::ModelOpt)) {
    fail_at(text, fpos, "act=int8 emulates MatMulNBits accuracy_level 4, which needs block=N and algo=ort");
  }
  return rule;
}

}  // namespace

std::string SimRule::describe() const {
  if (format == SimFormat::None) return "none (kept)";
  if (format == SimFormat::Fp8) return "fp8 e4m3fn per channel";
  std::string s = format == SimFormat::Int4 ? "int4" : "int8";
  s += block ? " block " + std::to_string(block) : std::string(" per channel");
  s += symmetric ? " sym" : " asym";
  s += algo == SimAlgo::ModelOpt ? " (modelopt)" : " (ort)";
  if (act_int8) s += ", act int8";
  return s;
}

SimSpec parse_sim_spec(std::string_view text) {
  SimSpec spec;
  spec.text = std::string(text);
  if (trim_copy(text).empty()) fail_at(text, 0, "empty spec (e.g. int4:block=128)");
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ';') continue;
    size_t pos = first_char(text, start, i);
    if (trim_copy(text.substr(start, i - start)).empty()) fail_at(text, pos, "empty rule");
    spec.rules.push_back(parse_rule(text, start, i));
    start = i + 1;
  }
  return spec;
}

bool glob_match(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace evalq
