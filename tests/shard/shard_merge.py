"""Shard/merge identity: for ppl, kld and mmlu, the unsharded result document equals `evalq merge`
of 1 shard and of 3 shards number for number (only timing keys may differ), and merge refuses a
missing shard, a duplicate shard, parts of different runs and a bad --shard with clear errors."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import Checks, run_evalq_json  # noqa: E402

BIN = os.environ["EVALQ_BIN"]
SHARED = os.environ["EVALQ_SHARED_DIR"]
MODELS = os.path.join(SHARED, "models/stories260K")
FP32 = os.path.join(MODELS, "genai-fp32")
INT4 = os.path.join(MODELS, "genai-int4")
WINDOW = ["--data", "tinystories", "--data-dir", os.path.join(SHARED, "data"), "--seq", "512", "--chunk", "256",
          "--max-windows", "6"]
MMLU = ["--data", os.path.join(SHARED, "data/mmlu/data"), "--subjects", "abstract_algebra,anatomy", "--limit", "6",
        "--shots", "0"]
# Wall-clock keys: the only ones a merged document may differ in (merge adds the shards' times).
TIMING = {"seconds", "tokens_per_second"}
ENV = dict(os.environ, EVALQ_PROGRESS="0")

check = Checks()


def evalq(args):
    return subprocess.run([BIN] + args, capture_output=True, text=True, env=ENV)


def differences(a, b, path=""):
    """Key paths where two documents differ, ignoring timing keys; numbers must be equal exactly."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key in TIMING:
                continue
            if key not in a or key not in b:
                out.append(f"{path}.{key} (only in one)")
            else:
                out += differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path} (length {len(a)} vs {len(b)})"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if type(a) is not type(b) or a != b:
        return [f"{path}: {a!r} vs {b!r}"]
    return []


def check_metric(work, name, args, shards=3):
    whole = run_evalq_json(BIN, args, os.path.join(work, f"{name}.json"), ENV)
    parts, states = [], []
    for k in range(1, shards + 1):
        part = os.path.join(work, f"{name}.part{k}.json")
        states.append(run_evalq_json(BIN, args + ["--shard", f"{k}/{shards}"], part, ENV)["state"])
        parts.append(part)
    one = os.path.join(work, f"{name}.part1of1.json")
    run_evalq_json(BIN, args + ["--shard", "1/1"], one, ENV)
    # Merge in reverse order: merge sorts the parts by shard itself.
    merged3 = run_evalq_json(BIN, ["merge"] + parts[::-1], os.path.join(work, f"{name}.merged3.json"), ENV)
    merged1 = run_evalq_json(BIN, ["merge", one], os.path.join(work, f"{name}.merged1.json"), ENV)
    check(f"{name}: shards 1 and {shards} scored different items", states[0] != states[-1])
    d3, d1 = differences(whole, merged3), differences(whole, merged1)
    check(f"{name}: unsharded == merge of {shards} shards", not d3, "; ".join(d3[:5]))
    check(f"{name}: unsharded == merge of 1 shard", not d1, "; ".join(d1[:5]))
    return parts


def refused(name, args, expect):
    r = evalq(args)
    ok = r.returncode != 0 and expect in r.stderr
    check(name, ok, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}, no message")


def main():
    with tempfile.TemporaryDirectory() as work:
        ppl_parts = check_metric(work, "ppl", ["ppl", FP32, "--method", "modelopt"] + WINDOW)
        kld_parts = check_metric(work, "kld", ["kld", FP32, INT4] + WINDOW)
        cache = os.path.join(work, "base.cache")
        r = evalq(["kld", FP32] + WINDOW + ["--save-base", cache])
        check("kld --save-base (unsharded) runs", r.returncode == 0, r.stderr.strip())
        # Shards 2 and 3 step over the cache rows of the windows before theirs.
        check_metric(work, "kld-cache", ["kld", INT4, "--base", cache] + WINDOW)
        check_metric(work, "mmlu", ["mmlu", FP32, INT4] + MMLU)
        check_metric(work, "mmlu-one-model", ["mmlu", FP32] + MMLU, shards=4)
        ppl_multi = check_metric(work, "ppl-two-seqs", ["ppl", FP32] + WINDOW[:4] + ["--seq", "256,512", "--chunk", "128",
                                                                                   "--max-windows", "4"], shards=5)

        refused("merge: missing shard", ["merge", ppl_parts[0], ppl_parts[2]], "missing shard(s) 2 of 3")
        refused("merge: duplicate shard", ["merge", ppl_parts[0], ppl_parts[1], ppl_parts[1], ppl_parts[2]],
                "shard 2/3 given twice")
        other = os.path.join(work, "ppl-int4.part2.json")
        r = evalq(["ppl", INT4] + WINDOW + ["--shard", "2/3", "--json", other])
        check("ppl shard of another model runs", r.returncode == 0, r.stderr.strip())
        refused("merge: parts of different runs", ["merge", ppl_parts[0], other, ppl_parts[2]], "come from different runs")
        refused("merge: parts of different metrics", ["merge", ppl_parts[0], kld_parts[1], ppl_parts[2]], "'kld' part")
        refused("merge: shard counts differ", ["merge", ppl_parts[0], ppl_multi[1], ppl_parts[2]], "run of 3 shards")
        refused("merge: a result document is not a part", ["merge", os.path.join(work, "ppl.json")], "not a partial document")
        refused("--shard K>N", ["ppl", FP32] + WINDOW + ["--shard", "4/3", "--json", os.path.join(work, "x.json")],
                "K must be between 1 and N")
        refused("--shard 0/3 (shards are 1-based)", ["ppl", FP32] + WINDOW + ["--shard", "0/3", "--json",
                                                                               os.path.join(work, "x.json")],
                "K must be between 1 and N")
        refused("--shard not K/N", ["kld", FP32, INT4] + WINDOW + ["--shard", "two", "--json", os.path.join(work, "x.json")],
                "expected K/N")
        refused("--shard without --json", ["ppl", FP32] + WINDOW + ["--shard", "1/3"], "needs --json")
        refused("--shard with --save-base", ["kld", FP32] + WINDOW + ["--save-base", os.path.join(work, "b.cache"),
                                                                       "--shard", "1/2", "--json",
                                                                       os.path.join(work, "x.json")],
                "cannot be sharded")
    check.finish()


if __name__ == "__main__":
    main()
