// If: runs the then/else subgraph chosen by a scalar bool (merged Optimum decoders, LongRoPE).
#include "exec/compiled_graph.h"
#include "exec/kernel.h"

namespace evalq {
namespace {

class IfKernel : public OpKernel {
 public:
  explicit IfKernel(const KernelInfo& info)
      : then_(&info.get_subgraph("then_branch")), else_(&info.get_subgraph("else_branch")) {}
  void compute(KernelContext& ctx) const override {
    const Node& node = ctx.node();
    const Tensor& cond = ctx.required_input(0);
    if (cond.dtype() != DType::Bool || cond.numel() != 1) {
      throw Error(node.describe() + ": condition must be a single bool, got " + dtype_name(cond.dtype()) + " " +
                  shape_string(cond.shape()));
    }
    const CompiledGraph& branch = *cond.data<bool>() ? *then_ : *else_;
    std::vector<Tensor> outs = ctx.run_subgraph(branch);
    if (outs.size() != ctx.output_count()) {
      throw Error(node.describe() + ": branch produced " + std::to_string(outs.size()) + " outputs, the node has " +
                  std::to_string(ctx.output_count()));
    }
    for (size_t i = 0; i < outs.size(); ++i) {
      if (ctx.output_wanted(i)) ctx.set_output(i, std::move(outs[i]));
    }
  }

 private:
  const CompiledGraph* then_;
  const CompiledGraph* else_;
};

}  // namespace

EVALQ_REGISTER_KERNEL("", "If", 1, kLatestOpset, IfKernel);

}  // namespace evalq
