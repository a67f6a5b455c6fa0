#include "common/shard.h"

#include <evalq/error.h>

#include <algorithm>

namespace evalq {

namespace {

constexpr int kPartialVersion = 1;

int64_t parse_positive(const std::string& digits, const std::string& whole) {
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Error("--shard '" + whole + "': expected K/N with whole numbers, 1 <= K <= N (e.g. 2/8)");
  }
  return std::stoll(digits);
}

// The first key path where two documents differ, for a merge error people can act on.
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      if (!b.contains(key)) return path + "." + key;
      const std::string d = first_difference(value, b[key], path + "." + key);
      if (!d.empty()) return d;
    }
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key)) return path + "." + key;
    }
    return "";
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      const std::string d = first_difference(a[i], b[i], path + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  return a == b ? "" : path;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) throw Error("--shard '" + text + "': expected K/N, 1 <= K <= N (e.g. 2/8)");
  Shard s{parse_positive(text.substr(0, slash), text), parse_positive(text.substr(slash + 1), text)};
  if (s.n < 1 || s.k < 1 || s.k > s.n) {
    throw Error("--shard '" + text + "': K must be between 1 and N (shards are numbered 1.." +
                std::to_string(std::max<int64_t>(s.n, 1)) + ")");
  }
  return s;
}

Slice shard_slice(int64_t total, const Shard& s) {
  // Item i belongs to shard floor(i * N / total) + 1; the first item of shard K is ceil((K-1) * total / N).
  auto first = [&](int64_t k) { return ((k - 1) * total + s.n - 1) / s.n; };
  return {first(s.k), first(s.k + 1)};
}

nlohmann::json make_partial(const std::string& metric, const Shard& s, nlohmann::json run, nlohmann::json state) {
  return {{"evalq_partial", kPartialVersion},
          {"metric", metric},
          {"shard", {{"k", s.k}, {"n", s.n}}},
          {"run", std::move(run)},
          {"state", std::move(state)}};
}

nlohmann::json identity_options(nlohmann::json options, std::initializer_list<const char*> local_keys) {
  for (const char* key : local_keys) options.erase(key);
  return options;
}

std::vector<nlohmann::json> order_parts(std::vector<nlohmann::json> parts, const std::vector<std::string>& names) {
  if (parts.empty()) throw Error("merge: no partial documents given");
  for (size_t i = 0; i < parts.size(); ++i) {
    const nlohmann::json& p = parts[i];
    if (!p.is_object() || !p.contains("evalq_partial")) {
      throw Error(names[i] + ": not a partial document (write one with --shard K/N --json FILE)");
    }
    if (p["evalq_partial"] != kPartialVersion) {
      throw Error(names[i] + ": partial format version " + p["evalq_partial"].dump() + ", this evalq reads version " +
                  std::to_string(kPartialVersion));
    }
    for (const char* key : {"metric", "shard", "run", "state"}) {
      if (!p.contains(key)) throw Error(names[i] + ": partial document lacks '" + std::string(key) + "'");
    }
  }
  const nlohmann::json& first = parts[0];
  const int64_t n = first["shard"]["n"].get<int64_t>();
  std::vector<int> seen_at(static_cast<size_t>(n), -1);
  for (size_t i = 0; i < parts.size(); ++i) {
    const nlohmann::json& p = parts[i];
    if (p["metric"] != first["metric"]) {
      throw Error("merge: " + names[i] + " is a '" + p["metric"].get<std::string>() + "' part, " + names[0] + " a '" +
                  first["metric"].get<std::string>() + "' part");
    }
    const int64_t pn = p["shard"]["n"].get<int64_t>(), k = p["shard"]["k"].get<int64_t>();
    if (pn != n) {
      throw Error("merge: " + names[i] + " is shard " + std::to_string(k) + "/" + std::to_string(pn) + " but " + names[0] +
                  " belongs to a run of " + std::to_string(n) + " shards");
    }
    if (k < 1 || k > n) throw Error("merge: " + names[i] + ": shard " + std::to_string(k) + " is outside 1.." + std::to_string(n));
    if (p["run"] != first["run"]) {
      throw Error("merge: " + names[i] + " and " + names[0] + " come from different runs (they differ at run" +
                  first_difference(first["run"], p["run"], "") + ")");
    }
    int& at = seen_at[static_cast<size_t>(k - 1)];
    if (at >= 0) {
      throw Error("merge: shard " + std::to_string(k) + "/" + std::to_string(n) + " given twice (" +
                  names[static_cast<size_t>(at)] + " and " + names[i] + ")");
    }
    at = static_cast<int>(i);
  }
  std::string missing;
  for (int64_t k = 1; k <= n; ++k) {
    if (seen_at[static_cast<size_t>(k - 1)] < 0) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
  }
  if (!missing.empty()) throw Error("merge: missing shard(s) " + missing + " of " + std::to_string(n));
  std::vector<nlohmann::json> ordered;
  for (int at : seen_at) ordered.push_back(std::move(parts[static_cast<size_t>(at)]));
  return ordered;
}

}  // namespace evalq
