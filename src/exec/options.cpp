#include <evalq/error.h>
#include <evalq/options.h>

namespace evalq {

std::string numerics_name(Numerics n) {
  switch (n) {
    case Numerics::Model: return "model";
    case Numerics::OrtCpu: return "ort-cpu";
    case Numerics::Exact: return "exact";
  }
  return "model";
}

Numerics parse_numerics(std::string_view name) {
  if (name == "model") return Numerics::Model;
  if (name == "ort-cpu") return Numerics::OrtCpu;
  if (name == "exact") return Numerics::Exact;
  throw Error("unknown numerics '" + std::string(name) + "': expected model, ort-cpu or exact");
}

}  // namespace evalq
