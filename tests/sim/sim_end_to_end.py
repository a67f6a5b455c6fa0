"""End-to-end checks of --sim and `evalq quantize` against ONNX Runtime.

1. Models quantized by ORT's own MatMulNBitsQuantizer (RTN, blocks 32/128, sym/asym) give the
   same logits in evalq as evalq's simulation of the fp32 model (identical weights, identical
   kernels), and match ORT running them (<= 1e-4).
2. Every format `evalq quantize` writes loads in ORT, and ORT's logits on it equal evalq's
   simulated logits (<= 1e-4; int8 activations: mean KL <= 1e-3, top-1 >= 98 %), while evalq on
   the written file reproduces its simulation exactly.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer
from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import Checks, empty_past_feeds, log_softmax  # noqa: E402

SHARED = os.environ["EVALQ_SHARED_DIR"]
BIN = os.environ["EVALQ_BIN"]
MODELS = os.path.join(SHARED, "models/stories260K")
check = Checks()


def tokens():
    tok = Tokenizer.from_file(os.path.join(MODELS, "tokenizer.json"))
    text = open(os.path.join(SHARED, "data/tinystories/valid-head.txt"), encoding="utf-8").read(3000)
    return [1] + tok.encode(text, add_special_tokens=False).ids[:95]


def evalq_logits(model, ids, work, sim=None):
    out = os.path.join(work, "evalq_logits.npy")
    cmd = [BIN, "logits", model, "--tokens", ",".join(map(str, ids)), "--out", out]
    if sim:
        cmd += ["--sim", sim]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return np.load(out)


def ort_logits(model_dir, ids):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), so, providers=["CPUExecutionProvider"])
    return sess.run(["logits"], empty_past_feeds(sess, ids))[0][0]


def stats(ref, got):
    lp, lq = log_softmax(ref), log_softmax(got)
    kl = (np.exp(lp) * (lp - lq)).sum(-1).mean()
    top1 = (ref.argmax(-1) == got.argmax(-1)).mean()
    return kl, top1


def ort_quantizer_models(ids, work):
    for block, sym in ((32, True), (128, False)):
        out = os.path.join(work, f"ortq_{block}_{sym}")
        os.makedirs(out, exist_ok=True)
        model = onnx.load(os.path.join(MODELS, "genai-fp32/model.onnx"))
        config = DefaultWeightOnlyQuantConfig(block_size=block, is_symmetric=sym)
        q = MatMulNBitsQuantizer(model, algo_config=config)
        q.process()
        q.model.save_model_to_file(os.path.join(out, "model.onnx"), use_external_data_format=True)
        for f in ("genai_config.json", "tokenizer.json"):
            with open(os.path.join(MODELS, "genai-fp32", f), "rb") as src, open(os.path.join(out, f), "wb") as dst:
                dst.write(src.read())
        spec = f"int4:block={block},{'sym' if sym else 'asym'}"
        sim = evalq_logits(os.path.join(MODELS, "genai-fp32"), ids, work, spec)
        genuine = evalq_logits(out, ids, work)
        check(f"ORT quantizer block {block} {'sym' if sym else 'asym'}: evalq sim == evalq on ORT's model",
              np.array_equal(sim, genuine), f"max |diff| {np.abs(sim - genuine).max():.3g}")
        ref = ort_logits(out, ids)
        check(f"ORT quantizer block {block} {'sym' if sym else 'asym'}: evalq == ORT",
              np.abs(ref - genuine).max() <= 1e-4, f"max |diff| {np.abs(ref - genuine).max():.3g}")


def written_models(ids, work):
    cases = [("genai-fp32", "int4:block=32"), ("genai-fp32", "int4:block=128,asym"), ("genai-fp32", "int8:block=64"),
             ("genai-fp32", "int8:channel"), ("genai-fp32", "int8:channel,asym"), ("genai-fp32", "fp8"),
             ("genai-fp32", "int4:block=16,asym;int8:channel@*down_proj*;none@first:1"),
             ("optimum", "int4:block=32,algo=modelopt"), ("genai-fp32", "int4:block=32,act=int8")]
    for i, (src, spec) in enumerate(cases):
        out = os.path.join(work, f"written_{i}")
        subprocess.run([BIN, "quantize", os.path.join(MODELS, src), "--sim", spec, "--out", out], check=True,
                       stdout=subprocess.DEVNULL)
        sim = evalq_logits(os.path.join(MODELS, src), ids, work, spec)
        written = evalq_logits(out, ids, work)
        check(f"quantize {src} {spec}: evalq on the written model == simulation", np.array_equal(sim, written),
              f"max |diff| {np.abs(sim - written).max():.3g}")
        ref = ort_logits(out, ids)
        if "act=int8" in spec:
            kl, top1 = stats(ref, sim)
            check(f"quantize {src} {spec}: ORT vs simulation", kl <= 1e-3 and top1 >= 0.98, f"KL {kl:.2e}, top-1 {top1:.3f}")
        else:
            diff = np.abs(ref - sim).max()
            check(f"quantize {src} {spec}: ORT vs simulation", diff <= 1e-4, f"max |diff| {diff:.3g}")


def main():
    ids = tokens()
    with tempfile.TemporaryDirectory() as work:
        ort_quantizer_models(ids, work)
        written_models(ids, work)
    check.finish()


if __name__ == "__main__":
    main()
