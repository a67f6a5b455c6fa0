"""The `evalq ppl --method modelopt` job done the way ModelOpt's script does it, with ONNX Runtime.

Tokenizes the corpus with HF `tokenizers` (one BOS), runs each S-token window (stride C) through an
ORT session with an empty KV cache, takes log_softmax of every row in float32 and scores the last
chunk's targets (window positions L-t+1 .. L-1). Prints the PPL and the time of the window loop.
"""
import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--text", required=True)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--chunk", type=int, default=512)
    ap.add_argument("--max-windows", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(args.model, "model.onnx"), so, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    with open(args.text, encoding="utf-8") as f:
        ids = [1] + tok.encode(f.read(), add_special_tokens=False).ids
    n = len(ids)

    def logits(window):
        feeds = {}
        for inp in sess.get_inputs():
            if inp.name == "input_ids":
                feeds[inp.name] = np.array([window], dtype=np.int64)
            elif inp.name == "attention_mask":
                feeds[inp.name] = np.ones((1, len(window)), dtype=np.int64)
            elif inp.name == "position_ids":
                feeds[inp.name] = np.arange(len(window), dtype=np.int64)[None, :]
            else:
                feeds[inp.name] = np.zeros((1, inp.shape[1], 0, inp.shape[3]), dtype=np.float32)
        return sess.run(["logits"], feeds)[0][0]

    start = time.perf_counter()
    total, count, prev_end, windows = 0.0, 0, 0, 0
    for begin in range(0, n, args.chunk):
        if windows == args.max_windows:
            break
        end = min(begin + args.seq, n)
        t = min(end - prev_end, args.chunk)
        x = logits(ids[begin:end]).astype(np.float32)
        m = x.max(axis=1, keepdims=True)
        lp = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
        length = end - begin
        rows = np.arange(length - t, length - 1)
        total += float(lp[rows, np.array(ids[begin:end])[rows + 1]].sum())
        count += len(rows)
        windows += 1
        prev_end = end
        if end == n:
            break
    seconds = time.perf_counter() - start
    print(json.dumps({"ppl": float(np.exp(-total / count)), "tokens_scored": count, "windows": windows,
                      "seconds": seconds, "tokens_per_second": count / seconds}))


if __name__ == "__main__":
    main()
