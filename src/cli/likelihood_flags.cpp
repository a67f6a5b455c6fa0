#include "cli/likelihood_flags.h"
#include "cli/json_file.h"
#include "common/comma_list.h"

#include <evalq/error.h>

#include <iostream>

namespace evalq::cli {

std::shared_ptr<LikelihoodFlags> add_likelihood_flags(CLI::App& sub, const std::string& default_method) {
  auto f = std::make_shared<LikelihoodFlags>();
  f->method = default_method;
  sub.add_option("--seq", f->seq, "Window length in tokens (default 1024; llamacpp 512; modelopt-kld 4096); a comma list runs several (ppl; compare: PPL per seq, KLD at the first)");
  sub.add_option("--chunk", f->chunk, "Stride between windows (modelopt: prefill chunk; hf: stride)")->capture_default_str();
  sub.add_option("--method", f->method, "Window protocol: modelopt, hf, llamacpp (kld also: modelopt-kld)")
      ->capture_default_str();
  sub.add_option("--data", f->data, "A UTF-8 text file, or a dataset name (wikitext2, tinystories)")->capture_default_str();
  sub.add_option("--data-dir", f->data_dir, "Folder holding registry datasets (else $EVALQ_DATA_DIR, ~/.cache/evalq)");
  sub.add_option("--bos", f->bos, "BOS at the start of the corpus: auto, always, never")->capture_default_str();
  sub.add_option("--max-tokens", f->max_tokens, "Use only the first N tokens of the corpus (0 = all)");
  sub.add_option("--max-windows", f->max_windows, "Score only the first N windows (0 = all)");
  sub.add_option("--json", f->json_out, "Write the result document to this file");
  return f;
}

nlohmann::json likelihood_options(const LikelihoodFlags& f) {
  nlohmann::json o = {{"chunk", f.chunk},   {"method", f.method},         {"data", f.data},
                      {"bos", f.bos},       {"max_tokens", f.max_tokens}, {"max_windows", f.max_windows}};
  if (!f.data_dir.empty()) o["data_dir"] = f.data_dir;
  if (!f.seq.empty()) o["seq"] = parse_integer_list(f.seq, "--seq");
  return o;
}

void emit_result(const std::string& table, const nlohmann::json& result, const LikelihoodFlags& flags) {
  std::cout << table;
  if (flags.json_out.empty()) return;
  write_json(result, flags.json_out);
}

}  // namespace evalq::cli
