#include <evalq/error.h>
#include <evalq/threads.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "cli/command.h"

namespace evalq::cli {
namespace {

struct Entry {
  std::string description;
  CommandSetup setup;
};

std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> commands;
  return commands;
}

}  // namespace

CommandRegistration::CommandRegistration(std::string name, std::string description, CommandSetup setup) {
  registry().emplace(std::move(name), Entry{std::move(description), std::move(setup)});
}

}  // namespace evalq::cli

int main(int argc, char** argv) {
  using namespace evalq::cli;
  CLI::App app{"evalq: accuracy of quantized LLMs against their baseline (perplexity, KLD, MMLU)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "evalq 0.1.0");

  int threads = 0;
  std::map<CLI::App*, CommandRun> runs;
  for (auto& [name, entry] : registry()) {
    CLI::App* sub = app.add_subcommand(name, entry.description);
    sub->add_option("--threads", threads, "Worker threads for TBB and OpenBLAS (default: all cores)")
        ->check(CLI::NonNegativeNumber);
    runs[sub] = entry.setup(*sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    evalq::set_num_threads(threads);
    for (auto& [sub, run] : runs) {
      if (sub->parsed()) return run();
    }
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "evalq: error: " << e.what() << "\n";
    return 2;
  }
}
