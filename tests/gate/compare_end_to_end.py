"""`evalq compare` on stories260K (TinyStories, seq 512, chunk 256, 3 windows): one file candidate
and one simulation; the aligned, Markdown and CSV tables carry the numbers of the ppl/kld result
documents in the JSON; a missing metric and a missing candidate exit 2."""
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile

BIN = os.environ["EVALQ_BIN"]
SHARED = os.environ["EVALQ_SHARED_DIR"]
FP32 = os.path.join(SHARED, "models/stories260K/genai-fp32")
INT4 = os.path.join(SHARED, "models/stories260K/genai-int4")
SIM = "int4:block=256,asym"
WINDOW = ["--data", "tinystories", "--data-dir", os.path.join(SHARED, "data"), "--seq", "512", "--chunk", "256",
          "--max-windows", "3"]
ENV = dict(os.environ, EVALQ_PROGRESS="0")

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail and not ok else ""))
    if not ok:
        failures.append(name)


def compare(*args):
    return subprocess.run([BIN, "compare", FP32, *args, *WINDOW], capture_output=True, text=True, env=ENV)


def main():
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "compare.json")
        p = compare(INT4, "--sim", SIM, "--json", out)
        check("compare exits 0", p.returncode == 0, p.stderr)
        with open(out) as f:
            r = json.load(f)
        models = r["models"]
        check("three rows: base, file, simulation", [m["label"] for m in models] ==
              [FP32, INT4, FP32 + " --sim " + SIM] and models[2]["sim"] == SIM)
        lines = p.stdout.splitlines()
        check("aligned table: header + 3 rows of equal width", len(lines) == 4 and len({len(l) for l in lines}) == 1,
              p.stdout)
        header, rows = r["table"]["header"], r["table"]["rows"]
        col = {h: i for i, h in enumerate(header)}
        for i, m in enumerate(models):
            check(f"row {i}: PPL == ppl document", rows[i][col["PPL"]] == "%.6g" % m["ppl"]["ppl"])
        for i in (1, 2):
            k = models[i]["kld"]
            check(f"row {i}: KLD mean, p99, ratio == kld document",
                  rows[i][col["KLD mean"]] == "%.6g" % k["kld"]["mean"] and rows[i][col["KLD p99"]] == "%.6g" % k["kld"]["p99"]
                  and rows[i][col["PPL ratio"]] == "%.6g" % math.exp(k["ln_ppl_ratio"]))
        check(f"the {SIM} simulation has a mean KLD above 0.05", float(rows[2][col["KLD mean"]]) > 0.05)

        p = compare(INT4, "--sim", SIM, "--csv")
        table = list(csv.reader(io.StringIO(p.stdout)))
        check("CSV: intervals split into lo/hi columns", p.returncode == 0 and "PPL 95% CI lo" in table[0] and
              len(table) == 4 and all(len(row) == len(table[0]) for row in table), p.stdout)
        p = compare(INT4, "--metrics", "ppl", "--md")
        md = p.stdout.splitlines()
        check("Markdown: header, rule, 2 rows; ppl only has no KLD column", p.returncode == 0 and len(md) == 4 and
              md[1].startswith("|---|") and "KLD" not in md[0], p.stdout)

        p = compare(INT4, "--metrics", "ppl,bleu")
        check("an unknown metric exits 2", p.returncode == 2 and "'bleu' is not available" in p.stderr, p.stderr)
        commands = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
        mmlu_args = ["--metrics", "ppl,mmlu", "--mmlu-data", os.path.join(SHARED, "data/mmlu/data"), "--shots", "1",
                     "--subjects", "abstract_algebra,business_ethics", "--limit", "5"]
        if re.search(r"^\s+mmlu\b", commands, re.M):
            out = os.path.join(work, "mmlu.json")
            p = compare(INT4, *mmlu_args, "--json", out)
            check("compare --metrics mmlu exits 0", p.returncode == 0, p.stderr)
            with open(out) as f:
                r = json.load(f)
            header, rows = r["table"]["header"], r["table"]["rows"]
            col = {h: i for i, h in enumerate(header)}
            cmp = r["models"][1]["mmlu"]["comparison"]
            want = ("%.2f" % (100 * cmp["accuracy_base"]), "%.2f" % (100 * cmp["accuracy_quant"]),
                    "%.2f" % (100 * cmp["difference"]), "[%.2f, %.2f]" % (100 * cmp["ci95"][0], 100 * cmp["ci95"][1]))
            got = (rows[0][col["MMLU %"]], rows[1][col["MMLU %"]], rows[1][col["MMLU Δ points"]], rows[1][col["Δ 95% CI"]])
            check("MMLU columns == the mmlu comparison", got == want, f"{got} vs {want}")
        else:
            p = compare(INT4, *mmlu_args)
            check("--metrics mmlu without the mmlu metric exits 2", p.returncode == 2 and
                  "metric 'mmlu' is not available in this build" in p.stderr, p.stderr)
        p = compare()
        check("no candidate exits 2", p.returncode == 2 and "at least one candidate" in p.stderr, p.stderr)
    if failures:
        sys.exit(f"{len(failures)} checks failed")


if __name__ == "__main__":
    main()
