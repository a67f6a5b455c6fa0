"""What the end-to-end python tests share: named checks that print ok/FAIL and fail the script at
the end (so one run reports every broken property, not just the first), and the ORT feeds for a
forward pass with an empty KV cache, and the float64 log-softmax every reference uses."""
import sys

import numpy as np


class Checks:
    def __init__(self):
        self.failures = []

    def __call__(self, name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail else ""))
        if not ok:
            self.failures.append(name)

    def finish(self):
        if self.failures:
            sys.exit(f"{len(self.failures)} checks failed: " + "; ".join(self.failures))
        print("all checks passed")


def log_softmax(x):
    """Row-wise log-softmax in float64 (the references' precision, whatever the logits' dtype)."""
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def empty_past_feeds(sess, ids):
    """ORT feeds for token ids `ids` at positions 0.. with an empty past (fp32 KV)."""
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
        else:
            raise SystemExit(f"don't know how to feed model input '{n}'")
    return feeds
