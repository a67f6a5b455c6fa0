#include "gate/gate_config.h"

#include <evalq/error.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace evalq {

namespace {

struct CheckSchema {
  const char* metric;
  std::vector<const char*> thresholds;  // at least one must be given
  std::vector<const char*> options;     // passed to the metric
};

const std::vector<CheckSchema>& check_schemas() {
  static const std::vector<CheckSchema> schemas = {
      {"ppl", {"max_ratio"}, {}},
      {"kld", {"max_mean", "min_top1", "max_p99"}, {}},
      {"mmlu", {"max_drop_points"}, {"data", "shots", "subjects", "limit", "protocol"}},
  };
  return schemas;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

class Validator {
 public:
  explicit Validator(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& message) const { throw Error(source_ + ": " + message); }

  void known_keys(const nlohmann::json& object, const std::string& prefix, const std::vector<std::string>& known,
                  const std::string& what) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        fail("unknown key '" + prefix + key + "' (" + what + " knows: " + join(known) + ")");
      }
    }
  }

  int64_t integer(const nlohmann::json& v, const std::string& path, int64_t min) const {
    if (!v.is_number_integer() || v.get<int64_t>() < min) {
      fail("'" + path + "' must be an integer >= " + std::to_string(min) + " (got " + v.dump() + ")");
    }
    return v.get<int64_t>();
  }

  std::string string(const nlohmann::json& v, const std::string& path) const {
    if (!v.is_string() || v.get<std::string>().empty()) fail("'" + path + "' must be a non-empty string (got " + v.dump() + ")");
    return v.get<std::string>();
  }

  double number(const nlohmann::json& v, const std::string& path) const {
    if (!v.is_number() || !std::isfinite(v.get<double>())) fail("'" + path + "' must be a number (got " + v.dump() + ")");
    return v.get<double>();
  }

  DecideRule rule(const nlohmann::json& v, const std::string& path) const {
    try {
      return parse_decide_rule(string(v, path));
    } catch (const Error& e) {
      fail("'" + path + "': " + e.what());
    }
  }

 private:
  std::string source_;
};

GateCheckConfig parse_check(const nlohmann::json& c, size_t index, DecideRule default_rule, const Validator& v) {
  GateCheckConfig check;
  check.path = "checks[" + std::to_string(index) + "]";
  const std::string prefix = check.path + ".";
  if (!c.is_object()) v.fail("'" + check.path + "' must be an object (got " + c.dump() + ")");
  if (!c.contains("metric")) v.fail("'" + check.path + "' has no \"metric\"");
  check.metric = v.string(c["metric"], prefix + "metric");
  const CheckSchema* schema = nullptr;
  std::vector<std::string> metrics;
  for (const auto& s : check_schemas()) {
    metrics.push_back(s.metric);
    if (check.metric == s.metric) schema = &s;
  }
  if (!schema) v.fail("'" + prefix + "metric': unknown metric '" + check.metric + "' (known: " + join(metrics) + ")");

  std::vector<std::string> known = {"metric", "decide"};
  known.insert(known.end(), schema->thresholds.begin(), schema->thresholds.end());
  known.insert(known.end(), schema->options.begin(), schema->options.end());
  v.known_keys(c, prefix, known, "a " + check.metric + " check");

  check.decide = c.contains("decide") ? v.rule(c["decide"], prefix + "decide") : default_rule;
  for (const char* key : schema->thresholds) {
    if (!c.contains(key)) continue;
    const std::string path = prefix + key;
    const double t = v.number(c[key], path);
    if (std::string(key) == "max_ratio" && t <= 0) v.fail("'" + path + "' must be > 0 (a PPL ratio), got " + c[key].dump());
    if (std::string(key) == "min_top1" && (t < 0 || t > 1)) {
      v.fail("'" + path + "' is a fraction in [0, 1] (0.90 = 90 %), got " + c[key].dump());
    }
    check.thresholds.emplace_back(key, t);
  }
  if (check.thresholds.empty()) {
    std::vector<std::string> names(schema->thresholds.begin(), schema->thresholds.end());
    v.fail("'" + check.path + "' (" + check.metric + ") sets no threshold (give one of: " + join(names) + ")");
  }

  if (check.metric == "mmlu") {
    if (!c.contains("data")) v.fail("'" + check.path + "' (mmlu) needs \"data\" (a folder or dataset name)");
    check.options["data"] = v.string(c["data"], prefix + "data");
    check.options["shots"] = c.contains("shots") ? v.integer(c["shots"], prefix + "shots", 0) : 5;
    if (c.contains("protocol")) check.options["protocol"] = v.string(c["protocol"], prefix + "protocol");
    nlohmann::json subjects = c.value("subjects", nlohmann::json("all"));
    if (subjects.is_array()) {
      if (subjects.empty()) v.fail("'" + prefix + "subjects' is an empty list");
      for (size_t i = 0; i < subjects.size(); ++i) v.string(subjects[i], prefix + "subjects[" + std::to_string(i) + "]");
    } else {
      v.string(subjects, prefix + "subjects");
    }
    check.options["subjects"] = subjects;
    const nlohmann::json limit = c.value("limit", nlohmann::json());
    check.options["limit"] = limit.is_null() ? limit : nlohmann::json(v.integer(limit, prefix + "limit", 1));
  }
  return check;
}

}  // namespace

GateConfig parse_gate_config(const nlohmann::json& j, const std::string& source) {
  const Validator v(source);
  if (!j.is_object()) v.fail("the config must be a JSON object");
  v.known_keys(j, "", {"data", "seq", "chunk", "max_windows", "max_tokens", "method", "bos", "decide", "quant_sim", "checks"},
               "the config");
  GateConfig config;
  if (j.contains("data")) config.likelihood["data"] = v.string(j["data"], "data");
  if (j.contains("seq")) config.likelihood["seq"] = v.integer(j["seq"], "seq", 2);
  if (j.contains("chunk")) config.likelihood["chunk"] = v.integer(j["chunk"], "chunk", 1);
  for (const char* key : {"max_windows", "max_tokens"}) {
    // null (or absent) = all; the metrics spell "all" as 0.
    if (j.contains(key) && !j[key].is_null()) config.likelihood[key] = v.integer(j[key], key, 1);
  }
  if (j.contains("method")) config.likelihood["method"] = v.string(j["method"], "method");
  if (j.contains("bos")) config.likelihood["bos"] = v.string(j["bos"], "bos");
  if (j.contains("decide")) config.decide = v.rule(j["decide"], "decide");
  if (j.contains("quant_sim") && !j["quant_sim"].is_null()) config.quant_sim = v.string(j["quant_sim"], "quant_sim");

  if (!j.contains("checks")) v.fail("the config has no \"checks\"");
  const nlohmann::json& checks = j["checks"];
  if (!checks.is_array() || checks.empty()) v.fail("'checks' must be a non-empty list");
  bool likelihood = false;
  for (size_t i = 0; i < checks.size(); ++i) {
    config.checks.push_back(parse_check(checks[i], i, config.decide, v));
    likelihood |= config.checks.back().metric != "mmlu";
  }
  // The data a gate measures PPL/KLD on must be stated, not fall back to a default corpus.
  if (likelihood && !config.likelihood.contains("data")) v.fail("the ppl/kld checks need a top-level \"data\"");
  return config;
}

nlohmann::json read_gate_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the gate config");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  return j;
}

}  // namespace evalq
