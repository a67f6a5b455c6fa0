#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/likelihood_flags.h"
#include "metric.h"

namespace evalq::cli {
namespace {

CommandRun setup(CLI::App& sub) {
  struct Options {
    std::string model, fallback = "int8:channel";
    double max_kld = -1;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("MODEL", o->model, "The unquantized model (a .onnx file or a folder with tokenizer.json)")->required();
  auto flags = add_likelihood_flags(sub, "modelopt");
  auto engine = add_engine_flags(sub);
  sub.add_option("--max-kld", o->max_kld, "Propose a mixed-precision spec whose measured mean KLD is at most this");
  sub.add_option("--fallback", o->fallback, "Format for the layers the proposal keeps back")->capture_default_str();
  return [o, flags, engine] {
    MetricRequest request;
    request.models.push_back({o->model, engine_options(*engine)});
    request.options = likelihood_options(*flags);
    if (o->max_kld >= 0) request.options["max_kld"] = o->max_kld;
    request.options["fallback"] = o->fallback;
    auto metric = MetricRegistry::instance().create("sensitivity");
    const nlohmann::json result = metric->run(request);
    emit_result(metric->render_table(result), result, *flags);
    return 0;
  };
}

}  // namespace

EVALQ_CLI_COMMAND(sensitivity, "Rank linear layers by the KLD their --sim quantization adds; propose a mixed spec", setup);

}  // namespace evalq::cli
