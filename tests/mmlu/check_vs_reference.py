"""Runs `evalq mmlu` and tests/mmlu/ref_mmlu.py on the same subjects and compares them: prompts
byte for byte (--dump-prompts), predictions identical, log-likelihoods to 1e-5. Also checks
that the prefix-reuse path equals --no-prefix-reuse for every question."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_evalq(binary, model, data, subjects, shots, limit, out, extra=()):
    cmd = [binary, "mmlu", model, "--data", data, "--subjects", subjects, "--shots", str(shots), "--limit",
           str(limit), "--json", os.path.join(out, "result.json"), "--dump-prompts", os.path.join(out, "prompts"),
           *extra]
    env = dict(os.environ, EVALQ_PROGRESS="0")
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return json.load(open(os.path.join(out, "result.json")))


def compare_predictions(label, got, want, failures, tol=1e-5, relative=False):
    worst = 0.0
    for subject, rows in want.items():
        mine = got[subject]
        if len(mine) != len(rows):
            failures.append(f"{label} {subject}: {len(mine)} predictions, expected {len(rows)}")
            continue
        for a, b in zip(mine, rows):
            if a["pred"] != b["pred"] or a["gold"] != b["gold"]:
                failures.append(f"{label} {subject} q{a['i']}: pred {a['pred']} gold {a['gold']}, "
                                f"expected pred {b['pred']} gold {b['gold']}")
            for x, y in zip(a["ll"], b["ll"]):
                worst = max(worst, abs(x - y))
                if abs(x - y) > tol * (max(1.0, abs(y)) if relative else 1.0):
                    failures.append(f"{label} {subject} q{a['i']}: ll {x} vs {y}")
            if bool(a.get("truncated", False)) != bool(b.get("truncated", False)):
                failures.append(f"{label} {subject} q{a['i']}: truncated flag differs")
    return worst


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
    failures = []
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
            if la != lb:
                failures.append(f"shots {shots} {subject}: dumped prompts differ from the reference")
        want = json.load(open(os.path.join(ref_out, "predictions.json")))
        worst = compare_predictions(f"shots {shots}", got["predictions"], want, failures)
        truncated = sum(1 for rows in want.values() for r in rows if r["truncated"])
        print(f"shots {shots}: {sum(len(r) for r in want.values())} questions, {truncated} truncated, "
              f"max |ll diff| {worst:.2e}, accuracy {got['accuracy']:.4f}")

    # Prefix reuse == one full forward per question: every question of two subjects at 1 shot
    # (within the model's 512 tokens), and 5 shots with the context widened so nothing is
    # truncated. Past 512 positions the tiny model is far outside its training and attention runs
    # over ~1000 keys in a different summation order, so that case compares relative to |ll|.
    for shots, limit, extra in ((1, 0, []), (5, args.reuse_limit_5shot, ["--max-length", "2048"])):
        work = os.path.join(args.work, f"reuse{shots}")
        reuse = run_evalq(args.evalq, args.model, args.data, args.reuse_subjects, shots, limit, os.path.join(work, "reuse"), extra)
        full = run_evalq(args.evalq, args.model, args.data, args.reuse_subjects, shots, limit, os.path.join(work, "full"),
                         [*extra, "--no-prefix-reuse"])
        prefix = {s: v["prefix_tokens"] for s, v in reuse["subjects"].items()}
        if not all(prefix.values()):
            failures.append(f"reuse shots {shots}: no shared prefix was reused ({prefix})")
        worst = compare_predictions(f"reuse shots {shots}", reuse["predictions"], full["predictions"], failures,
                                    relative=shots == 5)
        n = sum(len(r) for r in full["predictions"].values())
        print(f"prefix reuse, shots {shots}: {n} questions, prefix tokens {prefix}, max |ll diff| {worst:.2e}")

    for f in failures[:40]:
        print("FAIL:", f)
    if failures:
        sys.exit(f"{len(failures)} mismatches")
    print("OK")


if __name__ == "__main__":
    main()
