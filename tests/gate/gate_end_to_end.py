"""`evalq gate` on stories260K (TinyStories, seq 512, chunk 256, 3 windows): passes a model against
itself (exit 0), fails it against a badly quantized simulation (exit 1), exits 2 on a bad config key,
missing data and a missing metric; the reports exist, their SVGs parse, the HTML renders in headless
Chromium when it is installed, and every number in report.md is the JSON's."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import Checks  # noqa: E402

BIN = os.environ["EVALQ_BIN"]
SHARED = os.environ["EVALQ_SHARED_DIR"]
FP32 = os.path.join(SHARED, "models/stories260K/genai-fp32")
DATA_DIR = ["--data-dir", os.path.join(SHARED, "data")]
BAD_SIM = "int4:block=256,asym"

check = Checks()


def config(**extra):
    c = {"data": "tinystories", "seq": 512, "chunk": 256, "max_windows": 3, "decide": "conservative",
         "checks": [{"metric": "ppl", "max_ratio": 1.03},
                    {"metric": "kld", "max_mean": 0.05, "min_top1": 0.90, "max_p99": 1.0}]}
    c.update(extra)
    return c


def gate(work, name, cfg, *args, models=(FP32, FP32)):
    path = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    out = os.path.join(work, name + ".result.json")
    report = os.path.join(work, name + "-report")
    p = subprocess.run([BIN, "gate", *models, "--config", path, "--json", out, "--report", report, *DATA_DIR, *args],
                       capture_output=True, text=True, env=dict(os.environ, EVALQ_PROGRESS="0"))
    result = None
    if os.path.exists(out):
        with open(out) as f:
            result = json.load(f)
    return p, result, report


def g6(x):
    return "%.6g" % x


def check_report(report, result, label):
    md_path, html_path = os.path.join(report, "report.md"), os.path.join(report, "report.html")
    check(f"{label}: report.md and report.html exist", os.path.exists(md_path) and os.path.exists(html_path))
    if not os.path.exists(md_path):
        return
    md = open(md_path).read()
    rows = [line for line in md.splitlines() if line.startswith("| `")]
    check(f"{label}: one report row per check", len(rows) == len(result["checks"]), md)
    for row, c in zip(rows, result["checks"]):
        cells = [x.strip() for x in row.strip("|").split("|")]
        want_ci = "–" if c["ci95"] is None else f"[{g6(c['ci95'][0])}, {g6(c['ci95'][1])}]"
        got = (cells[0].strip("`"), cells[4], cells[5], cells[6].split()[-1], cells[7].split()[-1])
        want = (c["id"], g6(c["estimate"]), want_ci, g6(c["threshold"]), g6(c["decided_on"]))
        check(f"{label}: report row {c['id']} == JSON", got == want, f"{got} vs {want}")
        check(f"{label}: verdict of {c['id']} in the report", (c["verdict"] == "pass") == ("PASS" in cells[1]))
    svgs = [f for f in os.listdir(report) if f.endswith(".svg")]
    check(f"{label}: the three charts written", sorted(svgs) == ["delta_p.svg", "kld_histogram.svg", "ppl_ratio_windows.svg"], str(svgs))
    for f in svgs:
        try:
            root = ET.parse(os.path.join(report, f)).getroot()
            check(f"{label}: {f} parses as SVG", root.tag == "{http://www.w3.org/2000/svg}svg")
        except ET.ParseError as e:
            check(f"{label}: {f} parses", False, str(e))
    html = open(html_path).read()
    for block in re.findall(r"<svg.*?</svg>", html, re.S):
        try:
            ET.fromstring(block)
        except ET.ParseError as e:
            check(f"{label}: inline SVG parses", False, str(e))
    check(f"{label}: HTML has three inline charts and no external assets",
          html.count("<svg") == 3 and not re.search(r"(src|href)=\"(http|//)", html))
    return html_path


def render_in_chromium(html_path, work):
    chromium = shutil.which("chromium")
    if not chromium:
        print("skip Chromium rendering: `chromium` is not installed")
        return
    shot = os.path.join(work, "report.png")
    try:
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,1400",
                            f"--screenshot={shot}", "file://" + html_path], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        check("report.html renders in headless Chromium", False, "chromium did not finish in 120 s")
        return
    ok = p.returncode == 0 and os.path.exists(shot) and os.path.getsize(shot) > 10000
    check("report.html renders in headless Chromium", ok, p.stderr[-2000:])


def check_mmlu_base_cache(work, mmlu_check, direct, int4):
    """--mmlu-base-cache: scored and saved by the first run, reused by the second with identical
    numbers; other check options or changed base model files are not reused and say why."""
    base = os.path.join(work, "fp32-copy")  # a copy whose files the test may touch
    shutil.copytree(FP32, base)
    for f in os.listdir(base):
        os.chmod(os.path.join(base, f), 0o644)
    cache = os.path.join(work, "mmlu-base.json")
    cfg = {"checks": [mmlu_check]}
    runs = []
    for name in ("mcache1", "mcache2"):
        p, r, _ = gate(work, name, cfg, "--mmlu-base-cache", cache, models=(base, int4))
        runs.append((p, r))
    (p1, r1), (p2, r2) = runs
    ok = r1 is not None and r2 is not None
    check("--mmlu-base-cache: saved by the first run, reused by the second",
          ok and not r1["mmlu"][0]["base_results"]["reused"] and r2["mmlu"][0]["base_results"]["reused"] and
          "MMLU base results reused" in p2.stderr and os.path.exists(cache), p1.stderr + p2.stderr)
    if ok:
        check("--mmlu-base-cache: same verdict and numbers as the direct run",
              p1.returncode == p2.returncode == (0 if direct["verdict"] == "pass" else 1) and
              r1["checks"] == r2["checks"] == direct["checks"] and
              r2["mmlu"][0]["result"]["comparison"] == direct["mmlu"][0]["result"]["comparison"],
              json.dumps([r2["checks"], direct["checks"]]))
    other = dict(mmlu_check, shots=0)
    p, r, _ = gate(work, "mcache3", {"checks": [other]}, "--mmlu-base-cache", cache, models=(base, int4))
    check("--mmlu-base-cache: other shots are not reused, and the message names them",
          r is not None and not r["mmlu"][0]["base_results"]["reused"] and "shots: saved 1, now 0" in p.stderr, p.stderr)
    os.utime(os.path.join(base, "model.onnx.data"), (1, 1))
    p, r, _ = gate(work, "mcache4", cfg, "--mmlu-base-cache", cache, models=(base, int4))
    check("--mmlu-base-cache: changed base model files are not reused, and the message says so",
          r is not None and not r["mmlu"][0]["base_results"]["reused"] and "base model's files changed" in p.stderr and
          r["checks"] == direct["checks"], p.stderr)
    with open(cache) as f:
        entries = json.load(f)["entries"]
    check("--mmlu-base-cache: the changed model's entry replaced, the other check's kept", len(entries) == 2,
          str(len(entries)))
    with open(cache, "w") as f:
        f.write("not json")
    p, _, _ = gate(work, "mcache5", cfg, "--mmlu-base-cache", cache, models=(base, int4))
    check("--mmlu-base-cache: a file that is not a base-results file exits 2", p.returncode == 2 and
          "not an evalq MMLU base-results file" in p.stderr, p.stderr)


def main():
    with tempfile.TemporaryDirectory() as work:
        p, same, report = gate(work, "same", config())
        check("gate genai-fp32 vs itself exits 0", p.returncode == 0, p.stdout + p.stderr)
        check("one stdout line per check", len(p.stdout.splitlines()) == 4 and
              all(line.startswith("PASS ") for line in p.stdout.splitlines()), p.stdout)
        check("gate genai-fp32 vs itself wrote its --json result", same is not None)
        if same:
            check("identical models: ratio 1, KLD 0, top-1 1", same["checks"][0]["estimate"] == 1.0 and
                  same["checks"][1]["estimate"] == 0.0 and same["checks"][2]["estimate"] == 1.0, json.dumps(same["checks"]))
            check("the kld run behind the checks is in the result", same["kld"]["windows"] == 3)
            html = check_report(report, same, "pass")
            if html:
                render_in_chromium(html, work)

        p, bad, report = gate(work, "bad", config(quant_sim=BAD_SIM))
        check(f"gate genai-fp32 vs --sim {BAD_SIM} exits 1", p.returncode == 1, p.stdout + p.stderr)
        check(f"gate vs --sim {BAD_SIM} wrote its --json result", bad is not None)
        if bad:
            check("its result says simulated and fail", bad["quant_sim"] == BAD_SIM and bad["verdict"] == "fail")
            check("the simulation's summary is on stderr", f"evalq: --sim {BAD_SIM}: " in p.stderr and
                  "linear weights quantized in" in p.stderr, p.stderr)
            failed = [c["id"] for c in bad["checks"] if c["verdict"] == "fail"]
            check("the PPL ratio and mean KLD checks fail", {"ppl.max_ratio", "kld.max_mean"} <= set(failed), str(failed))
            check("stdout marks the failed checks", sum(l.startswith("FAIL ") for l in p.stdout.splitlines()) == len(failed))
            check_report(report, bad, "fail")

        cache = os.path.join(work, "base.blc")
        p, first, _ = gate(work, "cache1", config(quant_sim=BAD_SIM), "--base-cache", cache)
        p2, second, _ = gate(work, "cache2", config(quant_sim=BAD_SIM), "--base-cache", cache)
        check("--base-cache: written by the first run, read by the second (exit 1 both)",
              p.returncode == 1 and p2.returncode == 1 and os.path.exists(cache) and second and
              second["kld"]["base_from_cache"] and not first["kld"]["base_from_cache"], p.stderr + p2.stderr)
        if bad and second:
            direct, cached = bad["checks"], second["checks"]
            check("--base-cache: same verdicts, ratio and top-1 to float32, KLD within 1e-4",
                  [c["verdict"] for c in direct] == [c["verdict"] for c in cached] and
                  abs(direct[0]["estimate"] - cached[0]["estimate"]) < 1e-5 and
                  abs(direct[2]["estimate"] - cached[2]["estimate"]) < 1e-9 and
                  abs(direct[1]["estimate"] - cached[1]["estimate"]) < 1e-4, json.dumps([direct, cached]))
        int4 = os.path.join(SHARED, "models/stories260K/genai-int4")
        p, _, _ = gate(work, "cache3", config(), "--base-cache", cache, models=(int4, FP32))
        check("--base-cache written for another base exits 2", p.returncode == 2 and "written for model" in p.stderr,
              p.stderr)

        p, _, _ = gate(work, "flag", config(), "--sim", BAD_SIM)
        check("--sim on the command line simulates the candidate (exit 1)", p.returncode == 1, p.stderr)

        typo = config()
        typo["checks"][1]["max_maen"] = 0.05
        p, _, _ = gate(work, "typo", typo)
        check("a typo in a check key exits 2 naming the key", p.returncode == 2 and "checks[1].max_maen" in p.stderr, p.stderr)
        p, _, _ = gate(work, "toplevel", config(windows=3))
        check("an unknown top-level key exits 2", p.returncode == 2 and "'windows'" in p.stderr, p.stderr)
        p, _, _ = gate(work, "nodata", config(data=os.path.join(work, "missing.txt")))
        check("missing data exits 2", p.returncode == 2 and "missing.txt" in p.stderr, p.stderr)
        p, _, _ = gate(work, "nomodel", config(), models=(FP32, os.path.join(work, "no-model")))
        check("a missing model exits 2", p.returncode == 2, p.stderr)
        mmlu_check = {"metric": "mmlu", "data": os.path.join(SHARED, "data/mmlu/data"), "shots": 1,
                      "subjects": "abstract_algebra,business_ethics", "limit": 5, "max_drop_points": 1.0}
        int4 = os.path.join(SHARED, "models/stories260K/genai-int4")
        p, r, report = gate(work, "mmlu", {"checks": [mmlu_check]}, models=(FP32, int4))
        check("an mmlu check runs (exit 0 or 1)", p.returncode in (0, 1) and r is not None, p.stderr)
        if r:
            c, cmp = r["checks"][0], r["mmlu"][0]["result"]["comparison"]
            check("the mmlu drop and its CI are −100 × the paired difference",
                  abs(c["estimate"] + 100 * cmp["difference"]) < 1e-9 and
                  abs(c["ci95"][1] + 100 * cmp["ci95"][0]) < 1e-9, json.dumps([c, cmp]))
            check("the mmlu chart is written and parses",
                  ET.parse(os.path.join(report, "mmlu_subjects_0.svg")).getroot().tag.endswith("svg"))
        p, r_same, _ = gate(work, "mmlu_same", {"checks": [mmlu_check]})
        check("an mmlu check of a model against itself passes (drop 0)", p.returncode == 0 and
              r_same["checks"][0]["estimate"] == 0, p.stdout + p.stderr)
        if r:
            check_mmlu_base_cache(work, mmlu_check, r, int4)
        p = subprocess.run([BIN, "gate", FP32, FP32, "--config", os.path.join(work, "absent.json")],
                           capture_output=True, text=True)
        check("a missing config file exits 2", p.returncode == 2, p.stderr)
    check.finish()


if __name__ == "__main__":
    main()
