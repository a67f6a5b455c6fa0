#include <evalq/error.h>
#include <evalq/file_bytes.h>
#include <evalq/tokenizer.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/json_file.h"
#include "common/likelihood_setup.h"

namespace evalq::cli {
namespace {

struct TokenizeOptions {
  std::string model;
  std::string text;
  std::string text_file;
  std::string json_path;
  bool decode = false;
  bool add_special_tokens = false;
  std::string bos = "never";
};

CommandRun setup(CLI::App& sub) {
  auto o = std::make_shared<TokenizeOptions>();
  sub.add_option("MODEL_OR_DIR", o->model, "A tokenizer.json, a model folder holding one, or a model file beside one")
      ->required();
  auto* text = sub.add_option("--text", o->text, "Text to tokenize");
  auto* file = sub.add_option("--text-file", o->text_file, "File whose bytes are tokenized");
  text->excludes(file);
  file->excludes(text);
  sub.add_option("--json", o->json_path, "Also write {\"ids\": [...], \"count\": N} to this file");
  sub.add_flag("--decode", o->decode, "Decode the ids again (special tokens skipped, as HF does by default)");
  sub.add_flag("--add-special-tokens", o->add_special_tokens, "Apply the post-processor template (e.g. BOS)");
  sub.add_option("--bos", o->bos, "Put a BOS first: auto (as the model's tokenizer_config.json says), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub.callback([text, file, o] {
    if (text->count() == 0 && file->count() == 0) throw CLI::RequiredError("--text or --text-file");
    if (o->add_special_tokens && o->bos != "never") throw CLI::ValidationError("--bos", "cannot be combined with --add-special-tokens");
  });
  return [o] {
    Tokenizer tokenizer = Tokenizer::load(o->model);
    std::string input = o->text_file.empty() ? o->text : read_file_bytes(o->text_file);
    std::vector<TokenId> ids = o->add_special_tokens ? tokenizer.encode(input, true)
                                                     : tokenizer.encode_document(input, parse_bos_policy(o->bos));
    for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
    std::cout << "\ncount: " << ids.size() << "\n";
    nlohmann::json j{{"ids", ids}, {"count", ids.size()}};
    if (o->decode) {
      std::string decoded = tokenizer.decode(ids, true);
      std::cout << "decoded: " << decoded << "\n";
      j["decoded"] = nlohmann::json(decoded);
    }
    if (!o->json_path.empty()) {
      write_json(j, o->json_path);
    }
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(tokenize, "Tokenize text with a model's tokenizer.json (ids as HF tokenizers gives them)", setup);

}  // namespace evalq::cli
