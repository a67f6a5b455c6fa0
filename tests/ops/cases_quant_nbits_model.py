"""Every MatMulNBits node of the shared stories260K genai-int4 model (int4, block 32, symmetric,
accuracy_level 4: ORT's int8-activation path), run alone on the activation ORT itself feeds it
during a 64-token forward pass. This checks the accuracy_level-4 emulation on real weights and
real activation statistics; tolerance as in cases_quant_nbits (1e-4 absolute for outputs up to
about 20, 1e-5 relative)."""
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

from opcase import Case

SEQ = 64


def model_dir():
    shared = os.environ.get("EVALQ_SHARED_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
    return os.path.join(shared, "models", "stories260K", "genai-int4")


def node_activations(model):
    """ORT's value of each MatMulNBits node's input A for one forward pass."""
    import onnxruntime as ort
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    wanted = [n.input[0] for n in model.graph.node if n.op_type == "MatMulNBits"]
    known = {o.name for o in probe.graph.output}
    for name in dict.fromkeys(wanted):
        if name not in known:
            probe.graph.output.append(onnx.ValueInfoProto(name=name))
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(probe.SerializeToString(), so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(5)
    feeds = {}
    for inp in sess.get_inputs():
        if inp.name == "input_ids":
            feeds[inp.name] = np.concatenate([[1], rng.integers(3, 512, SEQ - 1)]).astype(np.int64)[None]
        elif inp.name == "attention_mask":
            feeds[inp.name] = np.ones((1, SEQ), np.int64)
        elif inp.name == "position_ids":
            feeds[inp.name] = np.arange(SEQ, dtype=np.int64)[None]
        else:  # empty past
            feeds[inp.name] = np.zeros((1, 4, 0, 8), np.float32)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feeds)))


def cases():
    path = os.path.join(model_dir(), "model.onnx")
    if not os.path.exists(path):
        return
    model = onnx.load(path, load_external_data=True)
    weights = {t.name: t for t in model.graph.initializer}
    acts = node_activations(model)
    for node in model.graph.node:
        if node.op_type != "MatMulNBits":
            continue
        a = acts[node.input[0]]
        single = helper.make_node("MatMulNBits", ["A"] + list(node.input[1:]), ["Y"], domain="com.microsoft",
                                  name=node.name)
        single.attribute.extend(node.attribute)
        inits = [weights[n] for n in node.input[1:] if n]
        graph = helper.make_graph([single], "g", [helper.make_tensor_value_info("A", onnx.TensorProto.FLOAT, list(a.shape))],
                                  [onnx.ValueInfoProto(name="Y")], initializer=inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)])
        m.ir_version = 10
        label = node.name.strip("/").replace("/", "_").replace(".", "_")
        yield Case(f"quant_nbits_stories_{label}", m, {"A": a}, atol=1e-4, rtol=1e-5)
