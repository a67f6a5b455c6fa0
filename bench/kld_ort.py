"""The `evalq kld` job (modelopt windows) done with ONNX Runtime in Python: both models run every
window with an empty KV cache, and KL(base || quant) is taken over the full vocabulary at each
scored position (float32 log_softmax, float64 sums). Prints the mean KLD, both PPLs and the time
of the window loop (sessions already loaded, as on evalq's side)."""
import json
import time

import numpy as np

from ppl_ort import arguments, corpus_ids, log_probs, modelopt_windows, session


def main():
    ap = arguments(__doc__)
    ap.add_argument("base")
    ap.add_argument("quant")
    args = ap.parse_args()
    base, quant = session(args.base, args.threads), session(args.quant, args.threads)
    ids = corpus_ids(args.base, args.text)
    start = time.perf_counter()
    kld, nll_base, nll_quant, count = 0.0, 0.0, 0.0, 0
    for begin, end, rows in modelopt_windows(len(ids), args.seq, args.chunk, args.max_windows):
        window = ids[begin:end]
        lp = log_probs(base, window)[rows]
        lq = log_probs(quant, window)[rows]
        targets = np.array(window)[rows + 1]
        kld += float((np.exp(lp).astype(np.float64) * (lp - lq)).sum())
        nll_base -= float(lp[np.arange(len(rows)), targets].sum())
        nll_quant -= float(lq[np.arange(len(rows)), targets].sum())
        count += len(rows)
    seconds = time.perf_counter() - start
    print(json.dumps({"kld_mean": kld / count, "ppl_base": float(np.exp(nll_base / count)),
                      "ppl_quant": float(np.exp(nll_quant / count)), "tokens_scored": count, "seconds": seconds,
                      "tokens_per_second": count / seconds}))


if __name__ == "__main__":
    main()
