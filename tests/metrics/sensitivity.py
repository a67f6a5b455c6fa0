"""evalq sensitivity: every layer the spec quantizes is ranked (descending single-layer KLD),
the whole-spec KLD equals `evalq kld BASE --sim SPEC`, and the proposed mixed spec, measured
again with `evalq kld`, meets --max-kld (both up to the base cache's top-K error)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import Checks, run_evalq_json  # noqa: E402

BIN = os.environ["EVALQ_BIN"]
SHARED = os.environ["EVALQ_SHARED_DIR"]
FP32 = os.path.join(SHARED, "models/stories260K/genai-fp32")
SPEC = "int4:block=32,act=int8"
WINDOW = ["--data", "tinystories", "--data-dir", os.path.join(SHARED, "data"), "--seq", "512", "--chunk", "256",
          "--max-windows", "2"]
ENV = dict(os.environ, EVALQ_PROGRESS="0")


def run(args, out):
    return run_evalq_json(BIN, args + WINDOW, out, ENV)


def main():
    check = Checks()

    with tempfile.TemporaryDirectory() as work:
        whole = run(["kld", FP32, "--sim", SPEC], os.path.join(work, "whole.json"))
        target = whole["kld"]["mean"] / 3
        r = run(["sensitivity", FP32, "--sim", SPEC, "--max-kld", str(target)], os.path.join(work, "s.json"))
        klds = [l["kld_mean"] for l in r["layers"]]
        check("every quantized layer is ranked", len(klds) == 36, str(len(klds)))
        check("ranked by descending KLD", klds == sorted(klds, reverse=True))
        check("single-layer KLDs are positive and below the whole spec's", all(0 < k < r["kld_full"] for k in klds))
        # Sensitivity reads the base from a top-128 cache (docs/metrics.md: ~1e-5 nats of KLD error).
        check("whole-spec KLD equals evalq kld --sim", abs(r["kld_full"] - whole["kld"]["mean"]) <= 5e-5,
              f"{r['kld_full']} vs {whole['kld']['mean']}")
        p = r["proposal"]
        check("the proposal meets --max-kld", p["meets"] and p["kld_mean"] <= target, f"{p['kld_mean']} vs {target}")
        again = run(["kld", FP32, "--sim", p["spec"]], os.path.join(work, "again.json"))
        check("the proposal's KLD is what evalq kld measures for its spec", abs(again["kld"]["mean"] - p["kld_mean"]) <= 5e-5,
              f"{again['kld']['mean']} vs {p['kld_mean']}")
        bad = subprocess.run([BIN, "sensitivity", FP32] + WINDOW, capture_output=True, text=True, env=ENV)
        check("sensitivity without --sim is refused", bad.returncode != 0 and "--sim" in bad.stderr, bad.stderr.strip())
    check.finish()


if __name__ == "__main__":
    main()
