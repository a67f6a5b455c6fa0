// `mmlu`: 5-shot MMLU under a named protocol (lm-eval, hendrycks, modelopt) on one model, or on a
// base and a quantized model with a paired comparison.
#include "mmlu_csv.h"
#include "mmlu_subjects.h"
#include "registry.h"
#include <evalq/error.h>
#include <evalq/sha256.h>
#include <evalq/model.h>
#include <evalq/tokenizer.h>

#include "metric.h"
#include "common/comma_list.h"
#include "mmlu/aggregate.h"
#include "mmlu/paired_stats.h"
#include "mmlu/scorer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace evalq {
namespace {

using json = nlohmann::json;

struct MmluOptions {
  std::string data = "mmlu";
  std::optional<fs::path> data_dir;
  int shots = 5;
  std::vector<std::string> subjects;
  int64_t limit = 0;
  MmluProtocol protocol = MmluProtocol::LmEval;
  std::string dump_prompts;
  int64_t max_length = 0;
  bool prefix_reuse = true;
  int largest_drops = 10;
};

MmluOptions parse_options(const json& o) {
  static const std::set<std::string> known = {"data", "data_dir", "shots", "subjects", "limit", "protocol",
                                              "dump_prompts", "max_length", "prefix_reuse", "largest_drops"};
  MmluOptions m;
  for (const auto& [key, value] : o.items()) {
    if (!known.count(key)) throw Error("mmlu: unknown option '" + key + "'");
  }
  try {
    if (o.contains("data")) m.data = o["data"].get<std::string>();
    if (o.contains("data_dir") && !o["data_dir"].get<std::string>().empty()) m.data_dir = o["data_dir"].get<std::string>();
    if (o.contains("shots")) m.shots = o["shots"].get<int>();
    if (o.contains("subjects")) {
      m.subjects = o["subjects"].is_string() ? split_comma_list(o["subjects"].get<std::string>())
                                             : o["subjects"].get<std::vector<std::string>>();
    }
    if (o.contains("limit")) m.limit = o["limit"].get<int64_t>();
    if (o.contains("protocol")) m.protocol = parse_mmlu_protocol(o["protocol"].get<std::string>());
    if (o.contains("dump_prompts")) m.dump_prompts = o["dump_prompts"].get<std::string>();
    if (o.contains("max_length")) m.max_length = o["max_length"].get<int64_t>();
    if (o.contains("prefix_reuse")) m.prefix_reuse = o["prefix_reuse"].get<bool>();
    if (o.contains("largest_drops")) m.largest_drops = o["largest_drops"].get<int>();
  } catch (const json::exception& e) {
    throw Error(std::string("mmlu: bad option value: ") + e.what());
  }
  if (m.shots < 0) throw Error("mmlu: --shots must be >= 0");
  if (m.limit < 0) throw Error("mmlu: --limit must be >= 0");
  return m;
}

struct SubjectData {
  std::string name;
  std::vector<MmluQuestion> dev, test;
};

std::vector<SubjectData> load_subjects(const MmluOptions& o) {
  const fs::path root = locate_mmlu(o.data, o.data_dir);
  std::vector<std::string> names = o.subjects;
  if (names.empty()) {
    for (const auto& entry : fs::directory_iterator(root / "test")) {
      const std::string file = entry.path().filename().string();
      if (file.size() > 9 && file.ends_with("_test.csv")) names.push_back(file.substr(0, file.size() - 9));
    }
    std::sort(names.begin(), names.end());
    if (names.empty()) throw Error((root / "test").string() + ": no <subject>_test.csv files");
  }
  std::vector<SubjectData> subjects;
  for (const std::string& name : names) {
    SubjectData s;
    s.name = name;
    const fs::path test = root / "test" / (name + "_test.csv");
    const fs::path dev = root / "dev" / (name + "_dev.csv");
    if (!fs::exists(test)) throw Error("subject '" + name + "': missing file " + test.string());
    s.test = read_mmlu_csv(test);
    if (o.limit > 0 && static_cast<int64_t>(s.test.size()) > o.limit) s.test.resize(o.limit);
    if (o.shots > 0) {
      if (!fs::exists(dev)) throw Error("subject '" + name + "': missing file " + dev.string() + " (needed for shots > 0)");
      s.dev = read_mmlu_csv(dev);
      if (static_cast<int>(s.dev.size()) < o.shots) {
        throw Error("subject '" + name + "': " + std::to_string(o.shots) + " shots asked but " + dev.string() + " has " +
                    std::to_string(s.dev.size()) + " rows");
      }
    }
    subjects.push_back(std::move(s));
  }
  return subjects;
}

std::optional<int64_t> json_int(const fs::path& file, std::initializer_list<const char*> path) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  json doc = json::parse(in, nullptr, false);
  const json* node = &doc;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return std::nullopt;
    node = &(*node)[key];
  }
  if (!node->is_number_integer()) return std::nullopt;
  return node->get<int64_t>();
}

// The context length as lm-eval's HFLM.max_length finds it: config.json n_positions,
// max_position_embeddings, n_ctx, then tokenizer_config.json model_max_length (unless it is
// transformers' "unset" sentinel); Model Builder folders give genai_config.json context_length.
// 0 when none says.
int64_t model_context_length(const Model& model) {
  if (model.is_llm() && model.llm().context_length > 0) return model.llm().context_length;
  const fs::path dir = model.folder();
  for (const char* key : {"n_positions", "max_position_embeddings", "n_ctx"}) {
    if (auto v = json_int(dir / "config.json", {key}); v && *v > 0) return *v;
  }
  if (auto v = json_int(dir / "genai_config.json", {"model", "context_length"}); v && *v > 0) return *v;
  if (auto v = json_int(dir / "tokenizer_config.json", {"model_max_length"}); v && *v > 0 && *v < (int64_t{1} << 40)) {
    return *v;
  }
  return 0;
}

const char* letter(int c) {
  static const char* const kLetters[] = {"A", "B", "C", "D"};
  return c >= 0 && c < 4 ? kLetters[c] : "";
}

void dump_prompts(const fs::path& dir, const std::string& subject, const std::vector<MmluAnswer>& answers) {
  fs::create_directories(dir);
  std::ofstream out(dir / (subject + ".jsonl"), std::ios::binary);
  if (!out) throw Error((dir / (subject + ".jsonl")).string() + ": cannot write");
  for (const MmluAnswer& a : answers) {
    json line = {{"i", a.index},
                 {"context", a.prompt.context},
                 {"continuations", a.prompt.continuations},
                 {"gold", letter(a.gold)}};
    out << line.dump() << "\n";
  }
}

json group_json(const AccuracyGroup& g) {
  return {{"accuracy", g.accuracy}, {"n", g.n}, {"stderr", g.standard_error}};
}

// A digest of every question the run reads (dev shots and limited test rows), so shards of one
// run are known to have scored the same data.
std::string data_fingerprint(const std::vector<SubjectData>& subjects) {
  std::string text;
  auto add = [&](const MmluQuestion& q) {
    text += q.question + '\x1f';
    for (const std::string& c : q.choices) text += c + '\x1f';
    text += std::to_string(q.answer) + '\x1e';
  };
  for (const SubjectData& s : subjects) {
    text += s.name + '\x1d';
    for (const MmluQuestion& q : s.dev) add(q);
    text += '\x1d';
    for (const MmluQuestion& q : s.test) add(q);
  }
  return sha256_hex(text);
}

// The questions of each subject a shard scores: the subjects' questions in order form one list,
// cut into contiguous shard slices.
std::vector<Slice> subject_slices(const std::vector<SubjectData>& subjects, const Shard& shard) {
  int64_t total = 0;
  for (const SubjectData& s : subjects) total += static_cast<int64_t>(s.test.size());
  const Slice all = shard_slice(total, shard);
  std::vector<Slice> out;
  int64_t offset = 0;
  for (const SubjectData& s : subjects) {
    const int64_t n = static_cast<int64_t>(s.test.size());
    out.push_back({std::clamp(all.begin - offset, int64_t{0}, n), std::clamp(all.end - offset, int64_t{0}, n)});
    offset += n;
  }
  return out;
}

// One model over its shard of the questions: the model's run identity and its per-question
// records (the sufficient statistics of every accuracy, error and paired comparison).
struct ModelPart {
  json run, state;
};

ModelPart score_model(const ModelSpec& spec, const MmluOptions& o, const std::vector<SubjectData>& subjects,
                      const std::vector<Slice>& slices, const Shard& shard, bool dump) {
  std::shared_ptr<const Model> model = load_spec_model(spec);
  Tokenizer tokenizer = Tokenizer::load(model->folder());
  MmluScoringOptions so;
  so.protocol = o.protocol;
  so.prefix_reuse = o.prefix_reuse;
  so.max_length = o.max_length;
  if (so.max_length <= 0) so.max_length = model_context_length(*model);
  // lm-eval's HFLM falls back to 2048 when the config names no length; ModelOpt defaults to 4096.
  if (so.max_length <= 0) so.max_length = o.protocol == MmluProtocol::ModelOpt ? 4096 : 2048;
  MmluScorer scorer(model, tokenizer, so);

  ModelPart part;
  part.run = {{"model", spec.path},
              {"numerics", numerics_name(spec.engine.numerics)},
              {"sim", spec.engine.sim},
              {"tokenizer_sha256", tokenizer.fingerprint()},
              {"max_length", so.max_length}};
  part.state = json::object();
  for (size_t si = 0; si < subjects.size(); ++si) {
    const SubjectData& s = subjects[si];
    const Slice slice = slices[si];
    // A subject without questions still appears once in the result, from the first shard.
    if (slice.begin == slice.end && !(s.test.empty() && shard.k == 1)) continue;
    std::vector<MmluAnswer> answers = scorer.score_subject(s.name, s.dev, o.shots, s.test, static_cast<size_t>(slice.begin),
                                                           static_cast<size_t>(slice.end));
    if (dump) dump_prompts(o.dump_prompts, s.name, answers);
    json records = json::array();
    for (const MmluAnswer& a : answers) {
      json r = {{"i", a.index}, {"pred", letter(a.pred)}, {"gold", letter(a.gold)}, {"ll", a.ll}, {"correct", a.correct}};
      if (o.protocol == MmluProtocol::ModelOpt) r["generated"] = a.generated;
      if (a.skipped) r["skipped"] = true;
      if (a.truncated) r["truncated"] = true;
      records.push_back(std::move(r));
    }
    part.state[s.name] = {{"prefix_tokens", scorer.last_prefix_tokens()}, {"answers", std::move(records)}};
  }
  return part;
}

// One model's questions of one subject, merged over the shards in order.
struct SubjectRecords {
  int64_t prefix_tokens = 0;
  std::vector<const json*> answers;
};

std::map<std::string, SubjectRecords> merge_records(const std::vector<json>& parts, size_t model_index) {
  std::map<std::string, SubjectRecords> out;
  for (const json& p : parts) {
    for (const auto& [subject, s] : p["state"]["models"][model_index].items()) {
      SubjectRecords& r = out[subject];
      r.prefix_tokens = s["prefix_tokens"].get<int64_t>();
      for (const json& a : s["answers"]) r.answers.push_back(&a);
    }
  }
  return out;
}

bool flag(const json& record, const char* key) { return record.contains(key) && record[key].get<bool>(); }

// The per-model result document from its run identity and merged records.
json model_doc(const json& model_run, const json& subject_names, const std::map<std::string, SubjectRecords>& records,
               MmluProtocol protocol) {
  std::vector<SubjectOutcome> outcomes;
  json subjects_doc = json::object(), predictions = json::object();
  int64_t truncated_total = 0, skipped_total = 0;
  for (const json& name_json : subject_names) {
    const std::string name = name_json.get<std::string>();
    const SubjectRecords& sr = records.at(name);
    SubjectOutcome outcome{name, {}};
    int64_t truncated = 0, skipped = 0;
    json preds = json::array();
    for (const json* a : sr.answers) {
      truncated += flag(*a, "truncated") ? 1 : 0;
      skipped += flag(*a, "skipped") ? 1 : 0;
      if (!flag(*a, "skipped")) outcome.correct.push_back((*a)["correct"].get<bool>());
      json p = *a;
      p.erase("correct");
      preds.push_back(std::move(p));
    }
    outcomes.push_back(outcome);
    truncated_total += truncated;
    skipped_total += skipped;
    subjects_doc[name] = {{"truncated", truncated}, {"skipped", skipped}, {"prefix_tokens", sr.prefix_tokens}};
    predictions[name] = std::move(preds);
  }
  MmluAggregate agg = aggregate_mmlu(outcomes, protocol == MmluProtocol::LmEval);
  for (const AccuracyGroup& g : agg.subjects) subjects_doc[g.name].update(group_json(g));
  json categories = json::object(), subcategories = json::object();
  for (const AccuracyGroup& g : agg.categories) categories[g.name] = group_json(g);
  for (const AccuracyGroup& g : agg.subcategories) subcategories[g.name] = group_json(g);
  json doc = model_run;
  doc.update({{"accuracy", agg.micro.accuracy},
              {"stderr", agg.micro.standard_error},
              {"accuracy_macro", agg.macro},
              {"stderr_macro", agg.macro_standard_error},
              {"n", agg.micro.n},
              {"truncated", truncated_total},
              {"skipped", skipped_total},
              {"categories", categories},
              {"subcategories", subcategories},
              {"subjects", subjects_doc},
              {"predictions", predictions}});
  return doc;
}

json compare(const std::map<std::string, SubjectRecords>& base, const std::map<std::string, SubjectRecords>& quant,
             int largest_drops) {
  std::vector<bool> b_all, q_all;
  json drops = json::array();
  struct Drop {
    std::string subject;
    double base, quant;
    int64_t n;
  };
  std::vector<Drop> list;
  for (const auto& [subject, b_records] : base) {
    const auto& b_answers = b_records.answers;
    const auto& q_answers = quant.at(subject).answers;
    int64_t n = 0, b_correct = 0, q_correct = 0;
    for (size_t i = 0; i < b_answers.size(); ++i) {
      if (flag(*b_answers[i], "skipped") || flag(*q_answers[i], "skipped")) continue;
      const bool b = (*b_answers[i])["correct"].get<bool>(), q = (*q_answers[i])["correct"].get<bool>();
      b_all.push_back(b);
      q_all.push_back(q);
      ++n;
      b_correct += b;
      q_correct += q;
    }
    if (n > 0) list.push_back({subject, static_cast<double>(b_correct) / n, static_cast<double>(q_correct) / n, n});
  }
  std::stable_sort(list.begin(), list.end(),
                   [](const Drop& x, const Drop& y) { return x.base - x.quant > y.base - y.quant; });
  for (size_t i = 0; i < list.size() && static_cast<int>(i) < largest_drops && list[i].base > list[i].quant; ++i) {
    drops.push_back({{"subject", list[i].subject}, {"base", list[i].base}, {"quant", list[i].quant},
                     {"drop", list[i].base - list[i].quant}, {"n", list[i].n}});
  }
  AgreementTable t = agreement_table(b_all, q_all);
  PairedDifference d = paired_difference(t);
  const double n = std::max<int64_t>(1, t.n());
  return {{"n", t.n()},
          {"accuracy_base", (t.both_correct + t.base_only) / n},
          {"accuracy_quant", (t.both_correct + t.quant_only) / n},
          {"difference", d.difference},
          {"stderr", d.standard_error},
          {"ci95", {d.ci_low, d.ci_high}},
          {"mcnemar_p", mcnemar_exact_p(t.base_only, t.quant_only)},
          {"table", {{"both_correct", t.both_correct}, {"base_only", t.base_only},
                     {"quant_only", t.quant_only}, {"both_wrong", t.both_wrong}}},
          {"largest_drops", drops}};
}

std::string fmt(const char* format, double a, double b = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

void render_model(std::ostringstream& out, const json& doc) {
  out << "model " << doc["model"].get<std::string>() << " (max_length " << doc["max_length"] << ")\n";
  out << "  subject                                   n    acc %   stderr  trunc  skip\n";
  for (const auto& [name, s] : doc["subjects"].items()) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-38s %5lld  %6.2f  %6.2f  %5lld %5lld\n", name.c_str(),
                  static_cast<long long>(s["n"].get<int64_t>()), 100 * s["accuracy"].get<double>(),
                  100 * s["stderr"].get<double>(), static_cast<long long>(s["truncated"].get<int64_t>()),
                  static_cast<long long>(s["skipped"].get<int64_t>()));
    out << line;
  }
  for (const auto& [name, c] : doc["categories"].items()) {
    out << "  category " << name << ": " << fmt("%.2f %% ± %.2f", 100 * c["accuracy"].get<double>(),
                                                 100 * c["stderr"].get<double>())
        << " (n " << c["n"] << ")\n";
  }
  out << "  overall (micro): " << fmt("%.2f %% ± %.2f", 100 * doc["accuracy"].get<double>(), 100 * doc["stderr"].get<double>())
      << " over " << doc["n"] << " questions; macro: "
      << fmt("%.2f %% ± %.2f", 100 * doc["accuracy_macro"].get<double>(), 100 * doc["stderr_macro"].get<double>())
      << "; truncated " << doc["truncated"] << ", skipped " << doc["skipped"] << "\n";
}

class MmluMetric : public Metric {
 public:
  std::string name() const override { return "mmlu"; }

  json run_partial(const MetricRequest& request, const Shard& shard) const override {
    if (request.models.empty() || request.models.size() > 2) {
      throw Error("mmlu: expected one model, or a base and a quantized model");
    }
    MmluOptions o = parse_options(request.options);
    if (!shard.whole() && !o.dump_prompts.empty()) throw Error("mmlu: --dump-prompts cannot be combined with --shard");
    std::vector<SubjectData> subjects = load_subjects(o);
    const std::vector<Slice> slices = subject_slices(subjects, shard);
    json run = {{"metric", "mmlu"}, {"protocol", mmlu_protocol_name(o.protocol)}, {"shots", o.shots},
                {"limit", o.limit}, {"prefix_reuse", o.prefix_reuse}, {"largest_drops", o.largest_drops},
                {"subjects", json::array()}, {"data_sha256", data_fingerprint(subjects)}, {"models", json::array()},
                {"options", identity_options(request.options, {"data_dir", "dump_prompts"})}};
    for (const SubjectData& s : subjects) run["subjects"].push_back(s.name);
    json state = {{"models", json::array()}};
    for (size_t m = 0; m < request.models.size(); ++m) {
      ModelPart part = score_model(request.models[m], o, subjects, slices, shard, m == 0 && !o.dump_prompts.empty());
      run["models"].push_back(std::move(part.run));
      state["models"].push_back(std::move(part.state));
    }
    return make_partial("mmlu", shard, run, state);
  }

  json finalize(const std::vector<json>& parts) const override {
    const json& run = parts.front()["run"];
    const MmluProtocol protocol = parse_mmlu_protocol(run["protocol"].get<std::string>());
    json result = {{"metric", "mmlu"}, {"protocol", run["protocol"]}, {"shots", run["shots"]},
                   {"limit", run["limit"]}, {"prefix_reuse", run["prefix_reuse"]}};
    const auto base = merge_records(parts, 0);
    json base_doc = model_doc(run["models"][0], run["subjects"], base, protocol);
    if (run["models"].size() == 1) {
      result.update(base_doc);
      return result;
    }
    const auto quant = merge_records(parts, 1);
    result["comparison"] = compare(base, quant, run["largest_drops"].get<int>());
    result["base"] = std::move(base_doc);
    result["quant"] = model_doc(run["models"][1], run["subjects"], quant, protocol);
    return result;
  }

  std::string render_table(const json& r) const override {
    std::ostringstream out;
    out << "MMLU " << r["shots"] << "-shot, protocol " << r["protocol"].get<std::string>() << "\n";
    if (!r.contains("comparison")) {
      render_model(out, r);
      return out.str();
    }
    render_model(out, r["base"]);
    render_model(out, r["quant"]);
    const json& c = r["comparison"];
    const json& t = c["table"];
    out << "paired over " << c["n"] << " questions: base " << fmt("%.2f %%", 100 * c["accuracy_base"].get<double>())
        << ", quant " << fmt("%.2f %%", 100 * c["accuracy_quant"].get<double>()) << ", difference "
        << fmt("%+.2f pp", 100 * c["difference"].get<double>()) << " (95 % CI "
        << fmt("%+.2f .. %+.2f", 100 * c["ci95"][0].get<double>(), 100 * c["ci95"][1].get<double>())
        << "), McNemar exact p = " << fmt("%.4g", c["mcnemar_p"].get<double>()) << "\n";
    out << "                 quant right  quant wrong\n";
    out << "  base right     " << fmt("%11.0f  %11.0f", t["both_correct"].get<double>(), t["base_only"].get<double>()) << "\n";
    out << "  base wrong     " << fmt("%11.0f  %11.0f", t["quant_only"].get<double>(), t["both_wrong"].get<double>()) << "\n";
    out << "largest drops:" << (c["largest_drops"].empty() ? " none\n" : "\n");
    for (const json& d : c["largest_drops"]) {
      out << "  " << d["subject"].get<std::string>() << ": "
          << fmt("%.2f -> %.2f", 100 * d["base"].get<double>(), 100 * d["quant"].get<double>()) << " % (n "
          << d["n"] << ")\n";
    }
    return out.str();
  }
};

EVALQ_REGISTER_METRIC("mmlu", MmluMetric);

}  // namespace
}  // namespace evalq
