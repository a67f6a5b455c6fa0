"""Builds the generated test models (random-weight GQA, ORT-quantized, ...) under WORK/gen/.

Each make_<name>.py module in this folder defines make(gen_dir, shared_dir) and writes its
model(s) into gen_dir; models.json refers to them as "work:gen/<folder>".
"""
import argparse
import importlib
import os
import pathlib
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--shared", required=True)
    args = ap.parse_args()
    gen = os.path.join(args.work, "gen")
    os.makedirs(gen, exist_ok=True)
    modules = sorted(p.stem for p in pathlib.Path(__file__).parent.glob("make_*.py"))
    for m in modules:
        importlib.import_module(m).make(gen, args.shared)
        print(f"{m}: done")
    print(f"ran {len(modules)} model generators into {gen}")


if __name__ == "__main__":
    main()
