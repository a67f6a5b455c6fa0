"""`evalq ppl` on the generated ORT-optimized GPT-2 (combined past_%d/present_%d KV, Attention,
EmbedLayerNormalization): the ModelOpt-method perplexity must equal the one computed from ONNX
Runtime's logits over the same windows to 1e-5 relative (the logits agree to about 1e-5)."""
import argparse
import os
import sys

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "metrics"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import empty_past_feeds, log_softmax, run_evalq_json  # noqa: E402
from reference_metrics import ENV, modelopt_windows  # noqa: E402


def ort_logits(sess, ids):
    return sess.run(["logits"], empty_past_feeds(sess, ids))[0][0].astype(np.float64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--evalq", required=True)
    args = ap.parse_args()
    model = os.path.join(args.work, "gen", "gpt2_attention")
    with open(os.path.join(args.shared, "data/tinystories/valid-head.txt"), encoding="utf-8") as f:
        text = f.read(4000)
    corpus = os.path.join(args.work, "gpt2_ppl_corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write(text)
    ids = [1] + Tokenizer.from_file(os.path.join(model, "tokenizer.json")).encode(text, add_special_tokens=False).ids
    ours = run_evalq_json(args.evalq, ["ppl", model, "--data", corpus, "--method", "modelopt", "--seq", "128",
                                       "--chunk", "64"], os.path.join(args.work, "gpt2_ppl.json"), ENV)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(os.path.join(model, "model.onnx"), so, providers=["CPUExecutionProvider"])
    nll = []
    for begin, end, rows, targets in modelopt_windows(len(ids), 128, 64):
        lp = log_softmax(ort_logits(sess, ids[begin:end]))
        nll.extend(-lp[rows, np.array(ids)[targets]])
    ref = float(np.exp(np.mean(nll)))
    rel = abs(ours["ppl"] - ref) / ref
    print(f"gpt2 ppl: evalq {ours['ppl']!r} ORT {ref!r} (relative difference {rel:.2e}), "
          f"{ours['tokens_scored']} tokens (ORT {len(nll)})")
    if ours["tokens_scored"] != len(nll) or rel > 1e-5:
        raise SystemExit("FAIL: evalq ppl on the GPT-2 layout differs from ONNX Runtime")


if __name__ == "__main__":
    main()
