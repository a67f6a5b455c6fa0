"""Writes every per-op differential case (cases_*.py in this folder) with ORT's outputs."""
import argparse
import importlib
import os
import pathlib
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opcase import write_case  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", help="comma-separated module suffixes (cases_<suffix>.py)")
    args = ap.parse_args()
    here = pathlib.Path(__file__).parent
    modules = sorted(p.stem for p in here.glob("cases_*.py"))
    if args.only:
        wanted = {"cases_" + s for s in args.only.split(",")}
        modules = [m for m in modules if m in wanted]
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    names = set()
    for m in modules:
        for case in importlib.import_module(m).cases():
            if case.name in names:
                sys.exit(f"duplicate case name {case.name} in {m}")
            names.add(case.name)
            try:
                write_case(case, args.out)
            except Exception as e:  # the oracle must accept every case we generate
                sys.exit(f"{m}: ONNX Runtime rejected case {case.name}: {e}")
    print(f"wrote {len(names)} cases from {len(modules)} modules to {args.out}")


if __name__ == "__main__":
    main()
