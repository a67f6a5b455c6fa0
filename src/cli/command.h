#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace evalq::cli {

// A subcommand's body: called after parsing, returns the process exit code. Errors are thrown
// (evalq::Error or std::exception) and turned into one message by main().
using CommandRun = std::function<int()>;

// Declares options on `sub` (created by main with --threads already on it) and returns the body.
using CommandSetup = std::function<CommandRun(CLI::App& sub)>;

struct CommandRegistration {
  CommandRegistration(std::string name, std::string description, CommandSetup setup);
};

// One line per subcommand file:  EVALQ_CLI_COMMAND(logits, "Write a model's logits", setup_fn);
#define EVALQ_CLI_COMMAND(name, description, setup) \
  static const ::evalq::cli::CommandRegistration evalq_cli_command_##name{#name, description, setup}

}  // namespace evalq::cli
