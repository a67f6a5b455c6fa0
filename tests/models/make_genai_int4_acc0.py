"""The shared genai-int4 model with accuracy_level 0 on every MatMulNBits (fp32 activations), the
case where evalq must match ONNX Runtime to fp32 rounding rather than statistically."""
import os
import shutil

import onnx


def make(gen_dir, shared_dir):
    src = os.path.join(shared_dir, "models/stories260K/genai-int4")
    dst = os.path.join(gen_dir, "genai_int4_acc0")
    os.makedirs(dst, exist_ok=True)
    model = onnx.load(os.path.join(src, "model.onnx"), load_external_data=False)
    for node in model.graph.node:
        if node.op_type == "MatMulNBits":
            for a in node.attribute:
                if a.name == "accuracy_level":
                    a.i = 0
    onnx.save(model, os.path.join(dst, "model.onnx"))
    for f in ("model.onnx.data", "genai_config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
