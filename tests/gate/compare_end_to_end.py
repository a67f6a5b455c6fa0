"""`evalq compare` on stories260K (TinyStories, seq 512, chunk 256, 3 windows): one file candidate
and one simulation; the base runs once (one kld run with the first candidate saves its
distributions, the second reads them; MMLU base records scored once) and every number equals the
separate `evalq kld` / `evalq ppl` / `evalq mmlu` runs; `--seq 256,512` gives PPL and ratio columns
per seq equal to `evalq ppl --seq 256,512`; the aligned, Markdown and CSV tables carry the numbers
of the JSON; a missing metric and a missing candidate exit 2."""
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import Checks, run_evalq_json  # noqa: E402

BIN = os.environ["EVALQ_BIN"]
SHARED = os.environ["EVALQ_SHARED_DIR"]
FP32 = os.path.join(SHARED, "models/stories260K/genai-fp32")
INT4 = os.path.join(SHARED, "models/stories260K/genai-int4")
SIM = "int4:block=256,asym"
WINDOW = ["--data", "tinystories", "--data-dir", os.path.join(SHARED, "data"), "--seq", "512", "--chunk", "256",
          "--max-windows", "3"]
ENV = dict(os.environ, EVALQ_PROGRESS="0")
TMP = tempfile.mkdtemp(prefix="evalq-compare-test-")
COMPARE_ENV = dict(ENV, TMPDIR=TMP)  # where compare keeps its temporary base cache

check = Checks()


def compare(*args, window=WINDOW):
    return subprocess.run([BIN, "compare", FP32, *args, *window], capture_output=True, text=True, env=COMPARE_ENV)


def evalq_json(work, name, *args):
    return run_evalq_json(BIN, args, os.path.join(work, name + ".json"), ENV)


def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(b))


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
            check(f"row {i}: PPL == ppl document", rows[i][col["PPL"]] == "%.6g" % m["ppl"][0]["ppl"])
        for i in (1, 2):
            k = models[i]["kld"]
            check(f"row {i}: KLD mean, p99, ratio == kld document",
                  rows[i][col["KLD mean"]] == "%.6g" % k["kld"]["mean"] and rows[i][col["KLD p99"]] == "%.6g" % k["kld"]["p99"]
                  and rows[i][col["PPL ratio"]] == "%.6g" % math.exp(k["ln_ppl_ratio"]))
        check(f"the {SIM} simulation has a mean KLD above 0.05", float(rows[2][col["KLD mean"]]) > 0.05)

        # The base ran once: one kld run with the base, the second candidate read its saved distributions.
        check("base runs: kld once, no separate ppl run", r["base_runs"] == {"kld": 1, "ppl": 0, "mmlu": 0} and
              not models[1]["kld"]["base_from_cache"] and models[2]["kld"]["base_from_cache"] and
              r["kld_base_cache"]["format"] == "topk", json.dumps(r["base_runs"]))
        check("the temporary base cache is removed", os.listdir(TMP) == [], str(os.listdir(TMP)))
        # The same numbers as separate runs.
        direct = [evalq_json(work, "kld_int4", "kld", FP32, INT4, *WINDOW),
                  evalq_json(work, "kld_sim", "kld", FP32, "--sim", SIM, *WINDOW)]
        ppls = [evalq_json(work, "ppl_" + n, "ppl", path, *extra, *WINDOW)
                for n, path, extra in (("base", FP32, []), ("int4", INT4, []), ("sim", FP32, ["--sim", SIM]))]
        for i, m in enumerate(models):
            check(f"row {i}: PPL and its CI == evalq ppl", close(m["ppl"][0]["ppl"], ppls[i]["ppl"], 1e-12) and
                  all(close(a, b, 1e-9) for a, b in zip(m["ppl"][0]["ppl_ci95"], ppls[i]["ppl_ci95"])),
                  f'{m["ppl"][0]} vs {ppls[i]["ppl"]} {ppls[i]["ppl_ci95"]}')
        for i, d in ((1, direct[0]), (2, direct[1])):
            k = models[i]["kld"]
            check(f"row {i}: PPL ratio and top-1 == evalq kld exactly (log p(target) stored in float64)",
                  close(k["ln_ppl_ratio"], d["ln_ppl_ratio"], 1e-12) and k["top1_agreement"] == d["top1_agreement"] and
                  close(k["ppl_base"], d["ppl_base"], 1e-12), f'{k["ln_ppl_ratio"]} vs {d["ln_ppl_ratio"]}')
            tol = 0.0 if i == 1 else 1e-4  # the second candidate reads the top-128 cache: KLD a lower bound within ~1e-5
            check(f"row {i}: mean KLD == evalq kld (within {tol})", abs(k["kld"]["mean"] - d["kld"]["mean"]) <= tol,
                  f'{k["kld"]["mean"]} vs {d["kld"]["mean"]}')

        # A later candidate whose tokenizer.json differs in bytes (same tokens) cannot read the cache: its kld runs the base again.
        retok = os.path.join(work, "int4-reformatted-tokenizer")
        shutil.copytree(INT4, retok)
        for f in os.listdir(retok):
            os.chmod(os.path.join(retok, f), 0o644)
        with open(os.path.join(retok, "tokenizer.json")) as f:
            tok = json.load(f)
        with open(os.path.join(retok, "tokenizer.json"), "w") as f:
            json.dump(tok, f, indent=1)
        out = os.path.join(work, "retok.json")
        p = compare(INT4, retok, "--json", out)
        check("a byte-different tokenizer: exit 0, the base runs again for it, with a note", p.returncode == 0 and
              "tokenizer.json differs from the base's" in p.stderr, p.stderr)
        if p.returncode == 0:
            with open(out) as f:
                rt = json.load(f)
            check("... and its numbers equal the first candidate's (same model)",
                  rt["base_runs"]["kld"] == 2 and not rt["models"][2]["kld"]["base_from_cache"] and
                  rt["table"]["rows"][1][1:] == rt["table"]["rows"][2][1:], json.dumps(rt["table"]["rows"]))

        # Several seqs: PPL and ratio columns per seq, the first from the kld run, the others from one ppl run per model.
        seq_window = WINDOW[:5] + ["256,512"] + WINDOW[6:]
        out = os.path.join(work, "seqs.json")
        p = compare(INT4, "--sim", SIM, "--json", out, window=seq_window)
        check("compare --seq 256,512 exits 0", p.returncode == 0, p.stderr)
        with open(out) as f:
            r = json.load(f)
        header, rows = r["table"]["header"], r["table"]["rows"]
        col = {h: i for i, h in enumerate(header)}
        check("one PPL, CI, ratio and ratio-CI column per seq",
              all(h in col for s in (256, 512) for h in (f"PPL seq {s}", f"PPL seq {s} 95% CI", f"PPL ratio seq {s}",
                                                           f"ratio seq {s} 95% CI")), str(header))
        check("the KLD columns name the seq they were measured at", "KLD mean seq 256" in col and
              "KLD mean seq 256 95% CI" in col, str(header))
        p = compare(INT4, "--metrics", "kld", window=seq_window)
        check("several seqs without ppl exit 2", p.returncode == 2 and "several" in p.stderr, p.stderr)
        check("base runs: kld once (seq 256), ppl once (seq 512)", r["base_runs"] == {"kld": 1, "ppl": 1, "mmlu": 0},
              json.dumps(r["base_runs"]))
        multi = [evalq_json(work, "seqs_" + n, "ppl", path, *extra, *seq_window)["runs"]
                 for n, path, extra in (("base", FP32, []), ("int4", INT4, []), ("sim", FP32, ["--sim", SIM]))]
        for i, m in enumerate(r["models"]):
            for k, s in enumerate((256, 512)):
                got, want = m["ppl"][k], multi[i][k]
                check(f"row {i} seq {s}: PPL == evalq ppl --seq 256,512", got["seq"] == s == want["seq"] and
                      close(got["ppl"], want["ppl"], 1e-12) and rows[i][col[f"PPL seq {s}"]] == "%.6g" % want["ppl"],
                      f"{got['ppl']} vs {want['ppl']}")
                if i > 0:
                    ratio = m["ppl_ratio"][k]
                    check(f"row {i} seq {s}: ratio == PPL ratio of the ppl runs, with a paired CI",
                          close(ratio["ratio"], want["ppl"] / multi[0][k]["ppl"], 1e-9) and ratio["ci95"] is not None and
                          ratio["ci95"][0] < ratio["ratio"] < ratio["ci95"][1], json.dumps(ratio))

        p = compare(INT4, "--sim", SIM, "--csv")
        table = list(csv.reader(io.StringIO(p.stdout)))
        check("CSV: intervals split into lo/hi columns", p.returncode == 0 and "PPL 95% CI lo" in table[0] and
              len(table) == 4 and all(len(row) == len(table[0]) for row in table), p.stdout)
        p = compare(INT4, "--metrics", "ppl", "--md")
        md = p.stdout.splitlines()
        check("Markdown: header, rule, 2 rows; ppl only has no KLD column", p.returncode == 0 and len(md) == 4 and
              md[1].startswith("|---|") and "KLD" not in md[0], p.stdout)

        # What a simulation could not apply goes to stderr, once per simulated model, in compare and the metric commands.
        unused = "int4:block=256,asym;int8@nomatch*"
        p = compare(INT4, "--sim", unused)
        warning = "warning: --sim rule 'int8@nomatch*' matches no linear weight"
        check("compare prints the --sim summary and warning on stderr once", p.returncode == 0 and
              p.stderr.count(warning) == 1 and p.stderr.count("linear weights quantized in") == 1, p.stderr)
        for command in (["ppl", FP32], ["kld", FP32, FP32], ["mmlu", FP32, "--data", os.path.join(SHARED, "data/mmlu/data"),
                                                             "--shots", "0", "--subjects", "anatomy", "--limit", "2"]):
            extra = WINDOW if command[0] != "mmlu" else []
            p = subprocess.run([BIN, *command, "--sim", unused, *extra], capture_output=True, text=True, env=ENV)
            check(f"evalq {command[0]} --sim prints the warning on stderr", p.returncode == 0 and warning in p.stderr,
                  p.stderr)

        p = compare(INT4, "--metrics", "ppl,bleu")
        check("an unknown metric exits 2", p.returncode == 2 and "'bleu' is not available" in p.stderr, p.stderr)
        mmlu_args = ["--metrics", "ppl,mmlu", "--mmlu-data", os.path.join(SHARED, "data/mmlu/data"), "--shots", "1",
                     "--subjects", "abstract_algebra,business_ethics", "--limit", "5"]
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
        check("MMLU base scored once", r["base_runs"]["mmlu"] == 1, json.dumps(r["base_runs"]))
        mmlu_flags = ["--data" if a == "--mmlu-data" else a for a in mmlu_args[2:]]
        direct = evalq_json(work, "mmlu_direct", "mmlu", FP32, INT4, *mmlu_flags)
        check("the MMLU comparison == evalq mmlu BASE QUANT", direct["comparison"] == cmp and
              direct["quant"]["predictions"] == r["models"][1]["mmlu"]["quant"]["predictions"] and
              direct["base"]["predictions"] == r["models"][1]["mmlu"]["base"]["predictions"])
        p = compare()
        check("no candidate exits 2", p.returncode == 2 and "at least one candidate" in p.stderr, p.stderr)
    shutil.rmtree(TMP, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
