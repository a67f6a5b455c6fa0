#include "mmlu/base_results.h"

#include <evalq/error.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace evalq {

namespace {

namespace fs = std::filesystem;

constexpr int kCacheVersion = 1;

nlohmann::json score_partial(const ModelSpec& model, const nlohmann::json& options) {
  MetricRequest request;
  request.models = {model};
  request.options = options;
  return MetricRegistry::instance().create("mmlu")->run_partial(request, Shard{});
}

nlohmann::json run_without_models(nlohmann::json run) {
  run.erase("models");
  return run;
}

MmluBaseResults base_of(const nlohmann::json& partial) {
  return {run_without_models(partial["run"]), partial["run"]["models"][0], partial["state"]["models"][0]};
}

// The mmlu partial document of both models, base first, as a two-model run writes it.
nlohmann::json paired(const MmluBaseResults& base, const nlohmann::json& quant_partial) {
  if (run_without_models(quant_partial["run"]) != base.run) {
    throw Error("the saved MMLU base results were scored with other data or options than this run");
  }
  nlohmann::json p = quant_partial;
  p["run"]["models"] = {base.model_run, quant_partial["run"]["models"][0]};
  p["state"]["models"] = {base.state, quant_partial["state"]["models"][0]};
  return MetricRegistry::instance().create("mmlu")->finalize({p});
}

nlohmann::json file_stamps(const fs::path& model_path) {
  std::error_code ec;
  const fs::path folder = fs::is_directory(model_path, ec) ? model_path : model_path.parent_path();
  std::vector<nlohmann::json> files;
  for (const auto& entry : fs::directory_iterator(folder.empty() ? fs::path(".") : folder, ec)) {
    if (!entry.is_regular_file()) continue;
    files.push_back({entry.path().filename().string(), static_cast<int64_t>(entry.file_size()),
                     static_cast<int64_t>(entry.last_write_time().time_since_epoch().count())});
  }
  if (ec) throw Error(model_path.string() + ": cannot list the model's files (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json without(nlohmann::json j, const char* key) {
  j.erase(key);
  return j;
}

// "shots: saved 5, now 1; subjects: ..." for the keys where two fingerprints differ.
std::string differences(const nlohmann::json& saved, const nlohmann::json& now) {
  std::string out;
  auto add = [&](const std::string& key, const nlohmann::json& a, const nlohmann::json& b) {
    if (a == b) return;
    out += (out.empty() ? "" : "; ") + key + ": saved " + (a.is_null() ? "nothing" : a.dump()) + ", now " +
           (b.is_null() ? "nothing" : b.dump());
  };
  for (const auto& [key, value] : now.items()) {
    if (key == "options") {
      for (const auto& [k, v] : value.items()) add(k, saved["options"].value(k, nlohmann::json()), v);
      for (const auto& [k, v] : saved["options"].items()) {
        if (!value.contains(k)) add(k, v, nlohmann::json());
      }
    } else if (key == "model_files") {
      if (saved[key] != value) out += std::string(out.empty() ? "" : "; ") + "model files: size or modification time changed";
    } else {
      add(key, saved.value(key, nlohmann::json()), value);
    }
  }
  return out;
}

}  // namespace

MmluBaseResults score_mmlu_base(const ModelSpec& base, const nlohmann::json& options) {
  return base_of(score_partial(base, options));
}

nlohmann::json mmlu_against_base(const MmluBaseResults& base, const ModelSpec& quant, const nlohmann::json& options) {
  return paired(base, score_partial(quant, options));
}

nlohmann::json mmlu_base_fingerprint(const ModelSpec& base, const nlohmann::json& options) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(base.path, ec);
  return {{"version", kCacheVersion},
          {"model", ec ? base.path : canonical.string()},
          {"model_files", file_stamps(base.path)},
          {"numerics", numerics_name(base.engine.numerics)},
          {"sim", base.engine.sim},
          {"options", without(options, "data_dir")}};
}

MmluBaseCache::MmluBaseCache(std::string path) : path_(std::move(path)) {
  if (!fs::exists(path_)) return;
  std::ifstream in(path_);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("evalq_mmlu_base", 0) != kCacheVersion ||
      !doc.contains("entries") || !doc["entries"].is_array()) {
    throw Error(path_ + ": not an evalq MMLU base-results file (version " + std::to_string(kCacheVersion) +
                "); give another --mmlu-base-cache path or delete it");
  }
  entries_ = doc["entries"];
}

MmluBaseCache::Comparison MmluBaseCache::compare(const ModelSpec& base, const ModelSpec& quant,
                                                 const nlohmann::json& options) {
  const nlohmann::json fingerprint = mmlu_base_fingerprint(base, options);
  const std::string note = "evalq gate: " + path_ + ": ";
  const nlohmann::json* match = nullptr;
  std::optional<size_t> replace;
  std::string why;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const nlohmann::json& saved = entries_[i]["fingerprint"];
    if (saved == fingerprint) {
      match = &entries_[i];
      replace = i;
    } else if (!match && without(saved, "model_files") == without(fingerprint, "model_files")) {
      replace = i;
      why = "the base model's files changed since its MMLU results were saved";
    } else if (!match && !replace && why.empty() && saved.value("model", "") == fingerprint["model"]) {
      why = "no saved MMLU base results for this check (" + differences(saved, fingerprint) + ")";
    }
  }
  const nlohmann::json quant_part = score_partial(quant, options);
  if (match) {
    const MmluBaseResults saved{(*match)["run"], (*match)["model_run"], (*match)["state"]};
    if (saved.run == run_without_models(quant_part["run"])) {
      std::cerr << note << "MMLU base results reused (" << base.path << ")\n";
      return {paired(saved, quant_part), true};
    }
    why = "the MMLU data read now differ from the data the saved base results were scored on";
  }
  std::cerr << note << (why.empty() ? "no saved MMLU base results yet" : why) << "; scoring the base and saving them\n";
  const MmluBaseResults fresh = base_of(score_partial(base, options));
  const nlohmann::json entry = {{"fingerprint", fingerprint}, {"run", fresh.run}, {"model_run", fresh.model_run},
                                {"state", fresh.state}};
  if (replace) {
    entries_[*replace] = entry;
  } else {
    entries_.push_back(entry);
  }
  save();
  return {paired(fresh, quant_part), false};
}

void MmluBaseCache::save() const {
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp);
    out << nlohmann::json{{"evalq_mmlu_base", kCacheVersion}, {"entries", entries_}}.dump() << "\n";
    if (!out) throw Error(tmp + ": cannot write the MMLU base results");
  }
  std::error_code ec;
  fs::rename(tmp, path_, ec);
  if (ec) throw Error(path_ + ": cannot write the MMLU base results (" + ec.message() + ")");
}

}  // namespace evalq
