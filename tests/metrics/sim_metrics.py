"""--sim through the metrics: a simulation of genai-fp32 is the shipped genai-int4, so
KLD(genai-int4 || simulation) is exactly 0, `kld BASE --sim` equals `kld BASE genai-int4`, and
`ppl --sim` equals ppl of genai-int4; the result documents say they were simulated."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import Checks, run_evalq_json  # noqa: E402

BIN = os.environ["EVALQ_BIN"]
SHARED = os.environ["EVALQ_SHARED_DIR"]
FP32 = os.path.join(SHARED, "models/stories260K/genai-fp32")
INT4 = os.path.join(SHARED, "models/stories260K/genai-int4")
SPEC = "int4:block=32,act=int8"
WINDOW = ["--data", "tinystories", "--data-dir", os.path.join(SHARED, "data"), "--seq", "512", "--chunk", "256",
          "--max-windows", "3"]
ENV = dict(os.environ, EVALQ_PROGRESS="0")


def run(args, work, name):
    return run_evalq_json(BIN, args + WINDOW, os.path.join(work, name + ".json"), ENV)


def main():
    check = Checks()

    with tempfile.TemporaryDirectory() as work:
        zero = run(["kld", INT4, FP32, "--sim-b", SPEC], work, "zero")
        check("KLD(genai-int4 || simulated genai-fp32) is exactly 0", zero["kld"]["max"] == 0.0 and
              zero["top1_agreement"] == 1.0, json.dumps(zero["kld"]))
        check("the kld result names the simulated side", zero["quant_sim"]["spec"] == SPEC and zero["base_sim"] is None)
        twin = run(["kld", FP32, "--sim", SPEC], work, "twin")
        genuine = run(["kld", FP32, INT4], work, "genuine")
        check("kld BASE --sim == kld BASE genai-int4", twin["kld"] == genuine["kld"] and
              twin["ppl_quant"] == genuine["ppl_quant"], f"{twin['kld']['mean']} vs {genuine['kld']['mean']}")
        ppl_sim = run(["ppl", FP32, "--sim", SPEC], work, "ppl_sim")
        ppl_int4 = run(["ppl", INT4], work, "ppl_int4")
        check("ppl --sim == ppl of genai-int4", ppl_sim["ppl"] == ppl_int4["ppl"], f"{ppl_sim['ppl']} vs {ppl_int4['ppl']}")
        check("the ppl result says it was simulated", ppl_sim["sim"]["spec"] == SPEC and ppl_int4["sim"] is None)
        bad = subprocess.run([BIN, "kld", FP32, "--sim", SPEC, "--sim-b", SPEC] + WINDOW, capture_output=True, text=True)
        check("--sim with --sim-b is refused", bad.returncode != 0 and "not both" in bad.stderr, bad.stderr.strip())
    check.finish()


if __name__ == "__main__":
    main()
