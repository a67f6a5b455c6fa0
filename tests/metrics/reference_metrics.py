"""Independent numpy reference for `evalq ppl` and `evalq kld` on stories260K.

Logits come from ONNX Runtime, token ids from HF `tokenizers`; the window loops are transcribed
from the reference scripts (ModelOpt run_perplexity.py with chunk_size, the HF guide, llama.cpp
perplexity(), ModelOpt compute_kl_divergence.py). Every number evalq prints must agree to 1e-6
relative (absolute 1e-9 near zero). Also checks the base-logits cache and the bad-input errors.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import Checks, empty_past_feeds, log_softmax, run_evalq_json  # noqa: E402

REL = 1e-6
checks = Checks()


def check(name, ours, ref, rel=REL, abs_tol=1e-9):
    checks.close(name, ours, ref, rel, abs_tol)


def check_eq(name, ours, ref):
    shown = (lambda v: f"{len(v)} items" if isinstance(v, list) and len(v) > 6 else repr(v))
    checks(name, ours == ref, f"evalq {shown(ours)} reference {shown(ref)}")


def fake_quant_model(src, dst):
    """A copy of the optimum model with every MatMul weight rounded to int4 RTN (blocks of 32 along K)."""
    os.makedirs(dst, exist_ok=True)
    m = onnx.load(os.path.join(src, "model.onnx"))
    for init in m.graph.initializer:
        if len(init.dims) == 2 and init.name.startswith("onnx::MatMul"):
            w = numpy_helper.to_array(init).astype(np.float32)
            k = w.shape[0]
            q = np.empty_like(w)
            for b in range(0, k, 32):
                blk = w[b:b + 32]
                scale = np.maximum(np.abs(blk).max(axis=0, keepdims=True) / 7, 1e-5)
                q[b:b + 32] = np.clip(np.rint(blk / scale), -8, 7) * scale
            init.CopyFrom(numpy_helper.from_array(q, init.name))
    onnx.save(m, os.path.join(dst, "model.onnx"))
    for f in ("tokenizer.json", "tokenizer_config.json", "config.json"):
        shutil.copy(os.path.join(src, f), dst)


def trimmed_vocab_model(src, dst, vocab):
    """A copy whose classifier keeps only the first `vocab` tokens (a vocabulary mismatch)."""
    os.makedirs(dst, exist_ok=True)
    m = onnx.load(os.path.join(src, "model.onnx"))
    for init in m.graph.initializer:
        if list(init.dims) == [64, 512]:
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init)[:, :vocab].copy(), init.name))
    m.graph.output[0].type.tensor_type.shape.dim[2].dim_value = vocab
    onnx.save(m, os.path.join(dst, "model.onnx"))
    for f in ("tokenizer.json", "tokenizer_config.json", "config.json"):
        shutil.copy(os.path.join(src, f), dst)


def tokenizer_variant(src, dst, extra_token):
    """A copy of the model whose tokenizer.json differs in bytes: reformatted, plus optionally one added token."""
    os.makedirs(dst, exist_ok=True)
    for f in ("model.onnx", "tokenizer_config.json", "config.json"):
        shutil.copy(os.path.join(src, f), dst)
    t = json.load(open(os.path.join(src, "tokenizer.json"), encoding="utf-8"))
    if extra_token:
        t["added_tokens"].append({"id": 512, "content": "<extra>", "single_word": False, "lstrip": False,
                                  "rstrip": False, "normalized": False, "special": True})
    json.dump(t, open(os.path.join(dst, "tokenizer.json"), "w", encoding="utf-8"), indent=1)


class OrtModel:
    def __init__(self, folder):
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self.sess = ort.InferenceSession(os.path.join(folder, "model.onnx"), so, providers=["CPUExecutionProvider"])

    def logits(self, ids):
        feeds = empty_past_feeds(self.sess, ids)
        return self.sess.run(["logits"], feeds)[0][0].astype(np.float64)


class EvalqModel:
    """evalq's own logits for a window (evalq logits --out), to check the statistics code exactly."""

    def __init__(self, binary, folder, work):
        self.binary, self.folder, self.out = binary, folder, os.path.join(work, "window_logits.npy")

    def logits(self, ids):
        evalq(self.binary, "logits", self.folder, "--tokens", ",".join(map(str, ids)), "--out", self.out)
        return np.load(self.out).astype(np.float64)


# ---- scored sets, transcribed from the reference loops; each yields (begin, end, rows, targets) ----
def modelopt_windows(n, seq, chunk):
    prev_end = 0
    for begin in range(0, n, chunk):
        end = min(begin + seq, n)
        trg_len = min(end - prev_end, chunk)
        length = end - begin
        rows = np.arange(length - trg_len, length - 1)  # the last chunk's rows 0 .. trg_len-2
        yield begin, end, rows, begin + rows + 1
        prev_end = end
        if end == n:
            break


def hf_windows(n, seq, stride):
    prev_end = 0
    for begin in range(0, n, stride):
        end = min(begin + seq, n)
        trg_len = end - prev_end
        labels = np.arange(begin, end)
        keep = np.ones(end - begin, bool)
        keep[:-trg_len] = False
        rows = np.nonzero(keep[1:])[0]  # logits[:-1] against labels[1:], ignoring -100
        yield begin, end, rows, labels[rows + 1]
        prev_end = end
        if end == n:
            break


def llamacpp_windows(n, ctx):
    for i in range(n // ctx):
        rows = np.arange(ctx // 2, ctx - 1)
        yield i * ctx, (i + 1) * ctx, rows, i * ctx + rows + 1


def run_ppl(model, ids, windows, bos_overwrite=None, max_windows=0):
    sums, counts, all_nll, targets_seen = [], [], [], []
    for wi, (b, e, rows, tg) in enumerate(windows):
        if max_windows and wi >= max_windows:
            break
        feed = list(ids[b:e])
        if bos_overwrite is not None:
            feed[0] = bos_overwrite
        lp = log_softmax(model.logits(feed))
        nll = -lp[rows, np.array(ids)[tg]]
        sums.append(nll.sum())
        counts.append(len(nll))
        all_nll.extend(nll)
        targets_seen.extend(tg)
    return np.array(all_nll), np.array(sums), np.array(counts), targets_seen


ENV = dict(os.environ, EVALQ_PROGRESS="0")


def evalq(binary, *args, expect_ok=True):
    r = subprocess.run([binary, *args], capture_output=True, text=True, env=ENV)
    if expect_ok and r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"evalq {' '.join(args)} failed")
    return r


def percentile(v, f):  # llama.cpp's: linear interpolation at f*(n-1)
    v = np.sort(v)
    p = f * (len(v) - 1)
    lo = int(np.floor(p))
    return v[-1] if lo + 1 >= len(v) else v[lo] + (p - lo) * (v[lo + 1] - v[lo])


def se_mean(x):
    n = len(x)
    var = np.mean(x * x) - np.mean(x) ** 2
    return np.sqrt(var / (n - 1)) if var > 0 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--evalq", required=True)
    args = ap.parse_args()
    work = os.path.join(args.work, "metrics")
    os.makedirs(work, exist_ok=True)
    base_dir = os.path.join(args.shared, "models/stories260K/optimum")
    quant_dir = os.path.join(work, "fq4")
    fake_quant_model(base_dir, quant_dir)
    v500_dir = os.path.join(work, "v500")
    trimmed_vocab_model(base_dir, v500_dir, 500)

    with open(os.path.join(args.shared, "data/tinystories/valid-head.txt"), encoding="utf-8") as f:
        text = f.read(6000)
    corpus = os.path.join(work, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write(text)
    tok = Tokenizer.from_file(os.path.join(base_dir, "tokenizer.json"))
    ids = [1] + tok.encode(text, add_special_tokens=False).ids  # add_bos_token: true
    n = len(ids)
    print(f"corpus: {n} tokens")
    base, quant = OrtModel(base_dir), OrtModel(quant_dir)

    # ---- ppl: each method's scored set and numbers ----
    cases = [
        ("modelopt", ["--seq", "128", "--chunk", "64"], modelopt_windows(n, 128, 64), None),
        ("hf", ["--seq", "128", "--chunk", "48"], hf_windows(n, 128, 48), None),
        ("llamacpp", ["--seq", "128"], llamacpp_windows(n, 128), 1),
    ]
    for method, extra, windows, bos in cases:
        r = run_evalq_json(args.evalq, ["ppl", base_dir, "--data", corpus, "--method", method, *extra],
                           os.path.join(work, f"ppl_{method}.json"), ENV)
        nll, sums, counts, tg = run_ppl(base, ids, windows, bos)
        check_eq(f"ppl {method} tokens_scored", r["tokens_scored"], len(nll))
        check_eq(f"ppl {method} first/last scored", (r["first_scored"], r["last_scored"]), (int(tg[0]), int(tg[-1])))
        check_eq(f"ppl {method} windows", [(w["begin"], w["end"], w["n"]) for w in r["windows"]],
                 [(w["begin"], w["end"], int(c)) for w, c in zip(r["windows"], counts)])
        check(f"ppl {method} nll_mean", r["nll_mean"], nll.mean())
        check(f"ppl {method} ppl", r["ppl"], float(np.exp(nll.mean())))
        check(f"ppl {method} ± naive", r["ppl_pm_naive"], float(np.exp(nll.mean()) * se_mean(nll)))
        # Jackknife over windows of the ratio sum(nll)/sum(n).
        k = len(sums)
        pseudo = np.array([(sums.sum() - sums[i]) / (counts.sum() - counts[i]) for i in range(k)])
        jse = np.sqrt((k - 1) / k * ((pseudo - pseudo.mean()) ** 2).sum())
        check(f"ppl {method} jackknife stderr", r["nll_stderr_jackknife"], jse)
        if method == "hf":
            check_eq("ppl hf scores every token but the first once", sorted(tg), list(range(1, n)))

    # ---- several --seq values in one run: one entry per value, each as its own run gives ----
    multi = run_evalq_json(args.evalq, ["ppl", base_dir, "--data", corpus, "--method", "hf", "--seq", "64,128",
                                        "--chunk", "48"], os.path.join(work, "ppl_multi.json"), ENV)
    single = json.load(open(os.path.join(work, "ppl_hf.json")))
    check_eq("ppl --seq 64,128: seqs", [x["seq"] for x in multi["runs"]], [64, 128])
    check("ppl --seq 64,128: second run equals the single --seq 128 run", multi["runs"][1]["ppl"], single["ppl"],
          rel=0, abs_tol=0)

    # ---- kld: every statistic on the modelopt windows, from ORT logits and from evalq's own ----
    # Per-token order statistics inherit the engine's ~1e-5 logit differences from ORT (the means
    # average them out), so against ORT they are held to 2e-5 relative or 1e-6 absolute; against
    # evalq's own logits (first 10 windows, to keep the test short) everything is held to 1e-9.
    sources = [("ORT", base, quant, REL, 2e-5, 1e-6, 0),
               ("evalq logits", EvalqModel(args.evalq, base_dir, work), EvalqModel(args.evalq, quant_dir, work),
                1e-9, 1e-9, 1e-12, 10)]
    for label, bm, qm, rel, rel_order, abs_order, max_windows in sources:
        r = run_evalq_json(args.evalq, ["kld", base_dir, quant_dir, "--data", corpus, "--seq", "128", "--chunk", "64",
                                        "--max-windows", str(max_windows)], os.path.join(work, f"kld_{max_windows}.json"),
                           ENV)
        kl, nq, nb, same = [], [], [], []
        for wi, (b, e, rows, tg) in enumerate(modelopt_windows(n, 128, 64)):
            if max_windows and wi >= max_windows:
                break
            lb = log_softmax(bm.logits(ids[b:e]))[rows]
            lq = log_softmax(qm.logits(ids[b:e]))[rows]
            kl.extend((np.exp(lb) * (lb - lq)).sum(axis=1))
            t = np.array(ids)[tg]
            nq.extend(-lq[np.arange(len(rows)), t])
            nb.extend(-lb[np.arange(len(rows)), t])
            same.extend(lb.argmax(axis=1) == lq.argmax(axis=1))
        kl, nq, nb, same = map(np.array, (kl, nq, nb, same))
        dp = np.exp(-nq) - np.exp(-nb)
        def c(name, ours, ref, tol=rel):
            check(f"kld [{label}] {name}", ours, float(ref), rel=tol, abs_tol=abs_order if tol == rel_order else 1e-9)
        check_eq(f"kld [{label}] tokens_scored", r["tokens_scored"], len(kl))
        c("mean", r["kld"]["mean"], kl.mean())
        c("stderr", r["kld"]["stderr"], se_mean(kl))
        c("median", r["kld"]["median"], np.median(kl), rel_order)
        for key, f in [("p99_9", .999), ("p99", .99), ("p95", .95), ("p90", .9), ("p10", .1), ("p5", .05),
                       ("p1", .01), ("p0_1", .001)]:
            c(key, r["kld"][key], percentile(kl, f), rel_order)
        c("min", r["kld"]["min"], kl.min(), rel_order)
        c("max", r["kld"]["max"], kl.max(), rel_order)
        c("top1_agreement", r["top1_agreement"], same.mean())
        c("ppl_base", r["ppl_base"], np.exp(nb.mean()))
        c("ppl_quant", r["ppl_quant"], np.exp(nq.mean()))
        c("ln_ppl_ratio", r["ln_ppl_ratio"], nq.mean() - nb.mean())
        cov = (np.mean(nq * nb) - nq.mean() * nb.mean()) / (len(nq) - 1)
        c("ln_ppl_ratio stderr (covariance)", r["ln_ppl_ratio_stderr"],
          np.sqrt(se_mean(nq) ** 2 + se_mean(nb) ** 2 - 2 * cov))
        c("nll correlation", r["nll_correlation"], np.corrcoef(nq, nb)[0, 1])
        c("delta_ppl", r["delta_ppl"], np.exp(nq.mean()) - np.exp(nb.mean()))
        c("delta_p mean", r["delta_p"]["mean"], dp.mean())
        c("delta_p stderr", r["delta_p"]["stderr"], se_mean(dp))
        c("delta_p rms", r["delta_p"]["rms"], np.sqrt(np.mean(dp * dp)))
        for key, f in [("p99", .99), ("p95", .95), ("p75", .75), ("p25", .25), ("p5", .05), ("p1", .01)]:
            c(f"delta_p {key}", r["delta_p"][key], percentile(dp, f), rel_order)
        c("delta_p median", r["delta_p"]["median"], np.median(dp), rel_order)
        if label == "ORT":
            nb_ort, exact_kld = nb, r["kld"]["mean"]

    # ---- modelopt-kld: abs divergence, all positions, disjoint windows, mean of window means ----
    r = run_evalq_json(args.evalq, ["kld", base_dir, quant_dir, "--data", corpus, "--method", "modelopt-kld", "--seq",
                                    "256"], os.path.join(work, "kld_modelopt.json"), ENV)
    means = []
    for b in range(0, n, 256):
        e = min(b + 256, n)
        lb, lq = log_softmax(base.logits(ids[b:e])), log_softmax(quant.logits(ids[b:e]))
        means.append((np.exp(lb) * np.abs(lb - lq)).sum(axis=1).mean())
    check("modelopt-kld average", r["modelopt_kld"]["average"], float(np.mean(means)))

    # ---- identical models: exactly zero ----
    r = run_evalq_json(args.evalq, ["kld", base_dir, base_dir, "--data", corpus, "--seq", "128", "--chunk", "64"],
                       os.path.join(work, "kld_same.json"), ENV)
    check_eq("identical models: KLD max, top-1, ln ratio", (r["kld"]["max"], r["top1_agreement"], r["ln_ppl_ratio"]),
             (0.0, 1.0, 0.0))

    # ---- base-logits cache: top-K and full fp16 against the exact result ----
    for fmt, extra in [("topk", ["--top-k", "128"]), ("full-fp16", [])]:
        cache = os.path.join(work, f"base_{fmt}.blc")
        common = ["--data", corpus, "--seq", "128", "--chunk", "64", "--cache-format", fmt, *extra]
        evalq(args.evalq, "kld", base_dir, "--save-base", cache, *common)
        r = run_evalq_json(args.evalq, ["kld", quant_dir, "--base", cache, *common],
                           os.path.join(work, f"kld_cache_{fmt}.json"), ENV)
        err = abs(r["kld"]["mean"] - exact_kld)
        print(f"cache {fmt}: mean KLD {r['kld']['mean']:.9f} vs exact {exact_kld:.9f} (error {err:.2e} nats)")
        check(f"cache {fmt} mean KLD within 1e-4 nats", r["kld"]["mean"], exact_kld, rel=0, abs_tol=1e-4)
        check(f"cache {fmt} ppl_base", r["ppl_base"], float(np.exp(nb_ort.mean())), rel=1e-6)

    # ---- bad input: each must fail with a clear message ----
    empty = os.path.join(work, "empty.txt")
    open(empty, "w").close()
    short = os.path.join(work, "short.txt")
    open(short, "w").write("Once upon a time")
    corrupt = os.path.join(work, "corrupt.blc")
    data = open(os.path.join(work, "base_topk.blc"), "rb").read()
    open(corrupt, "wb").write(data[:-100])
    bad = [
        ("empty data", ["ppl", base_dir, "--data", empty, "--seq", "128", "--chunk", "64"], "empty"),
        ("data shorter than a window", ["ppl", base_dir, "--data", short, "--seq", "128", "--chunk", "64"], "fewer than"),
        ("vocab mismatch", ["kld", base_dir, v500_dir, "--data", corpus, "--seq", "128", "--chunk", "64"],
         "vocabulary sizes differ"),
        ("corrupt cache", ["kld", quant_dir, "--base", corrupt, "--data", corpus, "--seq", "128", "--chunk", "64"],
         "corrupt"),
        ("cache fingerprint mismatch",
         ["kld", quant_dir, "--base", os.path.join(work, "base_topk.blc"), "--data", corpus, "--seq", "128",
          "--chunk", "32"], "plan_sha256"),
        ("window beyond the context length", ["ppl", base_dir, "--data", corpus, "--seq", "1024", "--chunk", "512"],
         "exceeds the context length 512"),
        ("not a cache", ["kld", quant_dir, "--base", corpus, "--data", corpus], "not an evalq base-logits cache"),
    ]
    for name, cmd, needle in bad:
        r = evalq(args.evalq, *cmd, expect_ok=False)
        checks(f"bad input, {name}", r.returncode != 0 and needle in r.stderr and "error" in r.stderr,
               r.stderr.strip().splitlines()[0] if r.stderr else "(no message)")
    tok_same_ids = os.path.join(work, "tok_reformatted")
    tokenizer_variant(base_dir, tok_same_ids, False)
    tok_other = os.path.join(work, "tok_extra")
    tokenizer_variant(base_dir, tok_other, True)
    window = ["--data", corpus, "--seq", "128", "--chunk", "64", "--max-windows", "2"]
    r = evalq(args.evalq, "kld", base_dir, tok_same_ids, *window, expect_ok=False)
    checks("tokenizer.json bytes differ, ids agree on the probe: runs without a warning",
           r.returncode == 0 and "warning" not in r.stderr)
    r = evalq(args.evalq, "kld", base_dir, tok_other, *window, expect_ok=False)
    checks("bad input, tokenizer mismatch", r.returncode != 0 and "tokenizers differ" in r.stderr,
           r.stderr.strip().splitlines()[0] if r.stderr else "")
    r = evalq(args.evalq, "kld", base_dir, tok_other, *window, "--allow-tokenizer-mismatch", expect_ok=False)
    checks("tokenizer mismatch with --allow-tokenizer-mismatch runs with a warning",
           r.returncode == 0 and "each model tokenizes the data itself" in r.stderr)
    r = evalq(args.evalq, "kld", base_dir, v500_dir, "--data", corpus, "--seq", "128", "--chunk", "64",
              "--allow-tokenizer-mismatch")
    checks("vocab mismatch with --allow-tokenizer-mismatch trims with a warning",
           "comparing the first 500 tokens" in r.stderr)

    checks.finish()


if __name__ == "__main__":
    main()
