#pragma once

// Flags every model-running subcommand shares, so `ppl`, `kld`, `mmlu`, `logits`, ... spell and
// check them the same way.
#include <evalq/model.h>
#include <evalq/options.h>

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace evalq::cli {

struct EngineFlags {
  std::string numerics = "model";
  std::string sim;
};

// Adds --numerics and --sim to `sub`; the returned flags are filled when the command line is parsed.
std::shared_ptr<EngineFlags> add_engine_flags(CLI::App& sub);

// The engine options the flags ask for (throws evalq::Error on bad values).
EngineOptions engine_options(const EngineFlags& flags);

// Loads a model under `options`, printing what a --sim spec did (and its warnings) to stderr.
std::shared_ptr<const Model> load_model(const std::string& path, const EngineOptions& options);

}  // namespace evalq::cli
