"""What the end-to-end python tests share: named checks that print ok/FAIL and fail the script at
the end (so one run reports every broken property, not just the first), running evalq for its
--json result document, the ORT feeds for a forward pass with an empty KV cache, and the float64
log-softmax every reference uses."""
import json
import re
import subprocess
import sys

import numpy as np


class Checks:
    def __init__(self):
        self.failures = []

    def __call__(self, name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail else ""))
        if not ok:
            self.failures.append(name)

    def close(self, name, ours, ref, rel, abs_tol):
        self(name, within(ours, ref, rel, abs_tol), f"evalq {ours!r} reference {ref!r}")

    def finish(self):
        if self.failures:
            sys.exit(f"{len(self.failures)} checks failed: " + "; ".join(self.failures))
        print("all checks passed")


def within(ours, ref, rel, abs_tol):
    """|ours - ref| within rel * |ref|, or within abs_tol where ref is near zero."""
    return abs(ours - ref) <= max(abs_tol, rel * abs(ref))


def run_evalq_json(binary, args, out_path, env=None):
    """Runs `binary *args --json out_path` and returns the parsed document. A failed run ends the
    script with evalq's stderr: the checks that would follow have nothing to read."""
    cmd = [binary, *args, "--json", out_path]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {r.returncode}):\n{r.stderr}")
    with open(out_path) as f:
        return json.load(f)


def log_softmax(x):
    """Row-wise log-softmax in float64 (the references' precision, whatever the logits' dtype)."""
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def empty_past_feeds(sess, ids):
    """ORT feeds for token ids `ids` at positions 0.. with an empty past (fp32 KV): separate
    past_key_values.N.key/value [1, heads, 0, head_size], or GPT-2's combined past_N
    [2, 1, heads, 0, head_size]."""
    feeds = {}
    for inp in sess.get_inputs():
        n = inp.name
        if n == "input_ids":
            feeds[n] = np.array([ids], dtype=np.int64)
        elif n == "attention_mask":
            feeds[n] = np.ones((1, len(ids)), dtype=np.int64)
        elif n == "position_ids":
            feeds[n] = np.arange(len(ids), dtype=np.int64)[None, :]
        elif n.startswith("past_key_values."):
            feeds[n] = np.zeros((1, inp.shape[1], 0, inp.shape[3]), dtype=np.float32)
        elif re.fullmatch(r"past_\d+", n):
            feeds[n] = np.zeros((2, 1, inp.shape[2], 0, inp.shape[4]), dtype=np.float32)
        else:
            raise SystemExit(f"don't know how to feed model input '{n}'")
    return feeds
