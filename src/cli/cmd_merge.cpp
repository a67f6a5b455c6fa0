// `evalq merge PART...`: the result of a sharded run from its partial documents, exactly as the
// unsharded run would have written it.
#include <evalq/error.h>

#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/json_file.h"
#include "common/shard.h"
#include "metric.h"

namespace evalq::cli {
namespace {

nlohmann::json read_part(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the partial result");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::vector<std::string> parts;
    std::string json_out;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("PARTS", o->parts, "The partial results of every shard (written by --shard K/N --json FILE)")->required();
  sub.add_option("--json", o->json_out, "Write the merged result document to this file");
  return [o] {
    std::vector<nlohmann::json> parts;
    for (const std::string& path : o->parts) parts.push_back(read_part(path));
    parts = order_parts(std::move(parts), o->parts);
    auto metric = MetricRegistry::instance().create(parts.front()["metric"].get<std::string>());
    const nlohmann::json result = metric->finalize(parts);
    std::cout << metric->render_table(result);
    if (!o->json_out.empty()) write_json(result, o->json_out);
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(merge, "Combine the partial results of a sharded metric run (--shard K/N) into its result", setup);

}  // namespace evalq::cli
