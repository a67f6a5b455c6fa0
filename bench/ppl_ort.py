"""The `evalq ppl --method modelopt` job done the way ModelOpt's script does it, with ONNX Runtime.

Tokenizes the corpus with HF `tokenizers` (one BOS), runs each S-token window (stride C) through an
ORT session with an empty KV cache, takes log_softmax of every row in float32 and scores the last
chunk's targets (window positions L-t+1 .. L-1). Prints the PPL and the time of the window loop.
The window plan and the ORT feeding are shared with bench/kld_ort.py.
"""
import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def session(model, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(os.path.join(model, "model.onnx"), so, providers=["CPUExecutionProvider"])


def corpus_ids(model, text):
    tok = Tokenizer.from_file(os.path.join(model, "tokenizer.json"))
    with open(text, encoding="utf-8") as f:
        return [1] + tok.encode(f.read(), add_special_tokens=False).ids


def log_probs(sess, window):
    """float32 log_softmax of every logits row of one window run with an empty KV cache."""
    feeds = {}
    for inp in sess.get_inputs():
        t = np.int32 if inp.type == "tensor(int32)" else np.int64
        if inp.name == "input_ids":
            feeds[inp.name] = np.array([window], dtype=t)
        elif inp.name == "attention_mask":
            feeds[inp.name] = np.ones((1, len(window)), dtype=t)
        elif inp.name == "position_ids":
            feeds[inp.name] = np.arange(len(window), dtype=t)[None, :]
        else:
            feeds[inp.name] = np.zeros((1, inp.shape[1], 0, inp.shape[3]), dtype=np.float32)
    x = sess.run(["logits"], feeds)[0][0].astype(np.float32)
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def modelopt_windows(n, seq, chunk, max_windows):
    """(begin, end, scored rows) of ModelOpt's windows: the last chunk's targets of each."""
    prev_end, windows = 0, 0
    for begin in range(0, n, chunk):
        if windows == max_windows:
            return
        end = min(begin + seq, n)
        t = min(end - prev_end, chunk)
        length = end - begin
        yield begin, end, np.arange(length - t, length - 1)
        windows += 1
        prev_end = end
        if end == n:
            return


def arguments(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--text", required=True)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--chunk", type=int, default=512)
    ap.add_argument("--max-windows", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    return ap


def main():
    ap = arguments(__doc__)
    ap.add_argument("model")
    args = ap.parse_args()
    sess = session(args.model, args.threads)
    ids = corpus_ids(args.model, args.text)
    start = time.perf_counter()
    total, count, windows = 0.0, 0, 0
    for begin, end, rows in modelopt_windows(len(ids), args.seq, args.chunk, args.max_windows):
        lp = log_probs(sess, ids[begin:end])
        total += float(lp[rows, np.array(ids[begin:end])[rows + 1]].sum())
        count += len(rows)
        windows += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"ppl": float(np.exp(-total / count)), "tokens_scored": count, "windows": windows,
                      "seconds": seconds, "tokens_per_second": count / seconds}))


if __name__ == "__main__":
    main()
