"""Runs `evalq mmlu` and tests/mmlu/ref_mmlu.py on the same subjects and compares them: prompts
byte for byte (--dump-prompts), predictions identical, log-likelihoods to 1e-5. Also checks
that the prefix-reuse path equals --no-prefix-reuse for every question."""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from evalq_checks import Checks, run_evalq_json, within  # noqa: E402

ENV = dict(os.environ, EVALQ_PROGRESS="0")
# A subject whose every question disagrees would otherwise print hundreds of mismatches in one line.
SHOWN_MISMATCHES = 20


def run_evalq(binary, model, data, subjects, shots, limit, out, extra=()):
    cmd = ["mmlu", model, "--data", data, "--subjects", subjects, "--shots", str(shots), "--limit", str(limit),
           "--dump-prompts", os.path.join(out, "prompts"), *extra]
    return run_evalq_json(binary, cmd, os.path.join(out, "result.json"), ENV)


def listed(mismatches):
    more = len(mismatches) - SHOWN_MISMATCHES
    return "; ".join(mismatches[:SHOWN_MISMATCHES]) + (f"; and {more} more" if more > 0 else "")


def compare_predictions(check, label, got, want, tol=1e-5, relative=False):
    """Per subject: as many predictions as the reference, and for each question the same pred, gold
    and truncated flag and every ll within tol (tol * max(1, |ll|) when relative)."""
    worst = 0.0
    for subject, rows in want.items():
        mine = got[subject]
        check(f"{label} {subject}: prediction count", len(mine) == len(rows),
              f"{len(mine)} predictions, expected {len(rows)}")
        if len(mine) != len(rows):
            continue
        mismatches = []
        for a, b in zip(mine, rows):
            if a["pred"] != b["pred"] or a["gold"] != b["gold"]:
                mismatches.append(f"q{a['i']}: pred {a['pred']} gold {a['gold']}, "
                                  f"expected pred {b['pred']} gold {b['gold']}")
            for x, y in zip(a["ll"], b["ll"]):
                worst = max(worst, abs(x - y))
                if not within(x, y, tol if relative else 0.0, tol):
                    mismatches.append(f"q{a['i']}: ll {x} vs {y}")
            if bool(a.get("truncated", False)) != bool(b.get("truncated", False)):
                mismatches.append(f"q{a['i']}: truncated flag differs")
        check(f"{label} {subject}: pred, gold, truncated and ll to {tol}{' relative' if relative else ''} agree",
              not mismatches, listed(mismatches))
    return worst


def perturbed_model(src, dst, scale=0.3, seed=0):
    """A copy of `src` with noisy float weights: a stand-in 'quantized' model that disagrees with
    the base on some questions."""
    os.makedirs(dst, exist_ok=True)
    model = onnx.load(os.path.join(src, "model.onnx"))
    rng = np.random.default_rng(seed)
    for init in model.graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype == np.float32 and w.size > 64:
            noisy = w + scale * w.std() * rng.standard_normal(w.shape).astype(np.float32)
            init.CopyFrom(numpy_helper.from_array(noisy.astype(np.float32), init.name))
    onnx.save(model, os.path.join(dst, "model.onnx"))
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(src, f), dst)
    return dst


def check_paired(args, check):
    """`evalq mmlu BASE QUANT`: each side equals its single-model run, and the comparison's
    table, difference, CI and McNemar p follow from the per-question outcomes."""
    work = os.path.join(args.work, "paired")
    quant = perturbed_model(args.model, os.path.join(work, "quant-model"))
    subjects, shots, limit = args.reuse_subjects, 1, 25
    out = os.path.join(work, "pair")
    os.makedirs(out, exist_ok=True)
    pair = run_evalq_json(args.evalq, ["mmlu", args.model, quant, "--data", args.data, "--subjects", subjects,
                                       "--shots", str(shots), "--limit", str(limit)],
                          os.path.join(out, "result.json"), ENV)
    single = {}
    for name, path in (("base", args.model), ("quant", quant)):
        single[name] = run_evalq(args.evalq, path, args.data, subjects, shots, limit, os.path.join(work, name))
        check(f"paired: {name} accuracy equals its single-model run",
              pair[name]["accuracy"] == single[name]["accuracy"],
              f"{pair[name]['accuracy']} vs single run {single[name]['accuracy']}")
    b = [p["pred"] == p["gold"] for s in subjects.split(",") for p in single["base"]["predictions"][s]]
    q = [p["pred"] == p["gold"] for s in subjects.split(",") for p in single["quant"]["predictions"][s]]
    table = {"both_correct": sum(x and y for x, y in zip(b, q)), "base_only": sum(x and not y for x, y in zip(b, q)),
             "quant_only": sum(y and not x for x, y in zip(b, q)), "both_wrong": sum(not x and not y for x, y in zip(b, q))}
    c = pair["comparison"]
    check("paired: table follows from the per-question outcomes", c["table"] == table, f"{c['table']} vs {table}")
    n = len(b)
    d = [int(y) - int(x) for x, y in zip(b, q)]
    mean = sum(d) / n
    se = math.sqrt(sum((v - mean) ** 2 for v in d) / (n - 1) / n)
    k, m = min(table["base_only"], table["quant_only"]), table["base_only"] + table["quant_only"]
    p = 1.0 if m == 0 else min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2 ** m)
    for key, want in (("difference", mean), ("stderr", se), ("mcnemar_p", p)):
        check.close(f"paired: {key}", c[key], want, 0.0, 1e-12)
    check.close(f"paired: ci95 lower bound of {c['ci95']}", c["ci95"][0], mean - 1.959963984540054 * se, 0.0, 1e-12)
    check("paired: the perturbed model disagrees with the base somewhere (the checks need discordant pairs)",
          table["base_only"] + table["quant_only"] > 0, str(table))
    print(f"paired: {n} questions, table {table}, difference {mean:+.3f}, McNemar p {p:.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evalq", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--subjects", default="abstract_algebra,college_medicine,formal_logic,high_school_us_history")
    ap.add_argument("--reuse-subjects", default="abstract_algebra,business_ethics")
    ap.add_argument("--reuse-limit-5shot", type=int, default=20)
    ap.add_argument("--limit", type=int, default=3)
    args = ap.parse_args()
    check = Checks()
    for shots in (0, 1, 5):
        work = os.path.join(args.work, f"shots{shots}")
        got = run_evalq(args.evalq, args.model, args.data, args.subjects, shots, args.limit, os.path.join(work, "evalq"))
        ref_out = os.path.join(work, "ref")
        subprocess.run([sys.executable, os.path.join(HERE, "ref_mmlu.py"), "--data", args.data, "--model", args.model,
                        "--subjects", args.subjects, "--shots", str(shots), "--limit", str(args.limit),
                        "--max-length", str(got["max_length"]), "--out", ref_out], check=True)
        for subject in args.subjects.split(","):
            a = open(os.path.join(work, "evalq", "prompts", f"{subject}.jsonl"), "rb").read()
            b = open(os.path.join(ref_out, "prompts", f"{subject}.jsonl"), "rb").read()
            la = [json.loads(x) for x in a.splitlines()]
            lb = [json.loads(x) for x in b.splitlines()]
            check(f"shots {shots} {subject}: dumped prompts equal the reference", la == lb)
        want = json.load(open(os.path.join(ref_out, "predictions.json")))
        worst = compare_predictions(check, f"shots {shots}", got["predictions"], want)
        truncated = sum(1 for rows in want.values() for r in rows if r["truncated"])
        print(f"shots {shots}: {sum(len(r) for r in want.values())} questions, {truncated} truncated, "
              f"max |ll diff| {worst:.2e}, accuracy {got['accuracy']:.4f}")

    # hendrycks (letter logit; at 5 shots the 512-token model drops shots) and ModelOpt (greedy
    # generation; at 5 shots every prompt is skipped).
    for protocol, shots in (("hendrycks", 1), ("hendrycks", 5), ("modelopt", 1), ("modelopt", 5)):
        work = os.path.join(args.work, f"{protocol}{shots}")
        got = run_evalq(args.evalq, args.model, args.data, args.subjects, shots, args.limit, os.path.join(work, "evalq"),
                        ["--protocol", protocol])
        ref_out = os.path.join(work, "ref")
        subprocess.run([sys.executable, os.path.join(HERE, "ref_mmlu.py"), "--data", args.data, "--model", args.model,
                        "--subjects", args.subjects, "--shots", str(shots), "--limit", str(args.limit), "--protocol",
                        protocol, "--max-length", str(got["max_length"]), "--out", ref_out], check=True)
        for subject in args.subjects.split(","):
            a = open(os.path.join(work, "evalq", "prompts", f"{subject}.jsonl"), "rb").read()
            b = open(os.path.join(ref_out, "prompts", f"{subject}.jsonl"), "rb").read()
            check(f"{protocol} shots {shots} {subject}: dumped prompts equal the reference",
                  [json.loads(x) for x in a.splitlines()] == [json.loads(x) for x in b.splitlines()])
        want = json.load(open(os.path.join(ref_out, "predictions.json")))
        # The scored letters are unlikely tokens for this model (ll around -10), so compare relative to |ll|.
        worst = compare_predictions(check, f"{protocol} shots {shots}", got["predictions"], want, relative=True)
        for subject, rows in want.items():
            differ = [f"q{a['i']}" for a, b in zip(got["predictions"][subject], rows)
                      if a.get("generated", "") != b.get("generated", "") or a.get("skipped", False) != b.get("skipped", False)]
            check(f"{protocol} shots {shots} {subject}: generation and skip equal the reference", not differ,
                  listed(differ))
        print(f"{protocol} shots {shots}: accuracy {got['accuracy']:.4f}, truncated {got['truncated']}, "
              f"skipped {got['skipped']}, max |ll diff| {worst:.2e}")

    # Prefix reuse == one full forward per question: every question of two subjects at 1 shot
    # (within the model's 512 tokens), and 5 shots with the context widened so nothing is
    # truncated. The two paths sum attention and matrix products in different blockings (cached
    # keys vs one window), so ll agree to float32 rounding relative to |ll|: 1e-5 * max(1, |ll|).
    for shots, limit, extra in ((1, 0, []), (5, args.reuse_limit_5shot, ["--max-length", "2048"])):
        work = os.path.join(args.work, f"reuse{shots}")
        reuse = run_evalq(args.evalq, args.model, args.data, args.reuse_subjects, shots, limit, os.path.join(work, "reuse"), extra)
        full = run_evalq(args.evalq, args.model, args.data, args.reuse_subjects, shots, limit, os.path.join(work, "full"),
                         [*extra, "--no-prefix-reuse"])
        prefix = {s: v["prefix_tokens"] for s, v in reuse["subjects"].items()}
        check(f"reuse shots {shots}: every subject reused its shared prefix", all(prefix.values()), str(prefix))
        worst = compare_predictions(check, f"reuse shots {shots}", reuse["predictions"], full["predictions"],
                                    relative=True)
        n = sum(len(r) for r in full["predictions"].values())
        print(f"prefix reuse, shots {shots}: {n} questions, prefix tokens {prefix}, max |ll diff| {worst:.2e}")

    check_paired(args, check)
    check.finish()


if __name__ == "__main__":
    main()
