"""ONNX Runtime reference logits for every case in models.json.

For each case: the first N tokens of TinyStories (BOS + HF tokenizers encoding) are run
(a) as one window with an empty past and (b) split in two, the second part continuing the
first's present.* KV cache. Writes OUT/<case>/{tokens,logits_full,logits_split}.npy.
"""
import argparse
import json
import os
import re

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

LEVELS = {"disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL, "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
          "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}
NP = {"tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(float)": np.float32, "tensor(float16)": np.float16}


def model_file(path):
    return os.path.join(path, "model.onnx") if os.path.isdir(path) else path


def combined_kv_names(path):
    """(past regex, present format) when genai_config.json names GPT-2 style combined KV
    (past_names / present_names, one [2, B, N, S, H] tensor per layer), else None."""
    config = os.path.join(path, "genai_config.json") if os.path.isdir(path) else ""
    if not config or not os.path.exists(config):
        return None
    decoder = json.load(open(config))["model"]["decoder"]
    past = decoder.get("inputs", {}).get("past_names")
    if not past:
        return None
    return re.compile(re.escape(past).replace("%d", r"(\d+)") + "$"), decoder["outputs"]["present_names"]


def run(sess, ids, past_len, past, combined=None):
    feeds = {}
    for inp in sess.get_inputs():
        n, t = inp.name, NP.get(inp.type, np.float32)
        if n == "input_ids":
            feeds[n] = np.array([ids], dtype=t)
        elif n == "attention_mask":
            feeds[n] = np.ones((1, past_len + len(ids)), dtype=t)
        elif n == "position_ids":
            feeds[n] = np.arange(past_len, past_len + len(ids), dtype=t)[None, :]
        elif combined and combined[0].match(n):
            layer = int(combined[0].match(n).group(1))
            if past is not None:
                feeds[n] = past[combined[1] % layer]
            else:
                feeds[n] = np.zeros((2, 1, inp.shape[2], 0, inp.shape[4]), dtype=t)
        elif n.startswith("past_key_values."):
            if past is not None:
                feeds[n] = past[n.replace("past_key_values.", "present.")]
            else:
                feeds[n] = np.zeros((1, inp.shape[1], 0, inp.shape[3]), dtype=t)
        else:
            raise SystemExit(f"ort_logits.py: don't know how to feed input {n}")
    names = [o.name for o in sess.get_outputs()]
    out = dict(zip(names, sess.run(names, feeds)))
    return out["logits"][0].astype(np.float32), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--split", type=int, default=120)
    args = ap.parse_args()
    tok = Tokenizer.from_file(os.path.join(args.shared, "models/stories260K/tokenizer.json"))
    with open(os.path.join(args.shared, "data/tinystories/valid-head.txt"), encoding="utf-8") as f:
        text = f.read(20000)
    ids = ([1] + tok.encode(text, add_special_tokens=False).ids)[: args.tokens]
    cases = json.load(open(args.manifest))["cases"]
    for case in cases:
        path = case["model"]
        path = os.path.join(args.work, path[5:]) if path.startswith("work:") else os.path.join(args.shared, path)
        so = ort.SessionOptions()
        so.graph_optimization_level = LEVELS[case.get("ort_opt", "disabled")]
        so.intra_op_num_threads = 1
        sess = ort.InferenceSession(model_file(path), so, providers=["CPUExecutionProvider"])
        combined = combined_kv_names(path)
        full, _ = run(sess, ids, 0, None, combined)
        first, present = run(sess, ids[: args.split], 0, None, combined)
        second, _ = run(sess, ids[args.split:], args.split, present, combined)
        out = os.path.join(args.work, "models", case["name"])
        os.makedirs(out, exist_ok=True)
        np.save(os.path.join(out, "tokens.npy"), np.array(ids, dtype=np.int64))
        np.save(os.path.join(out, "logits_full.npy"), full)
        np.save(os.path.join(out, "logits_split.npy"), np.concatenate([first, second]))
        print(f"{case['name']}: {len(ids)} tokens, split at {args.split}")


if __name__ == "__main__":
    main()
