"""ONNX Runtime's HQQ weight-only quantizer (MatMulNBitsQuantizer with HQQWeightOnlyQuantConfig)
applied to one Model Builder folder. ORT's HQQ code needs torch, so this runs in .venv-hqq (Debian's
python3-torch, made by scripts/setup.sh), not in the test virtualenv.

Usage: hqq_quantize.py SRC_DIR DST_DIR --block B --bits N"""
import argparse
import os
import shutil

import onnx
from onnxruntime.quantization.matmul_nbits_quantizer import HQQWeightOnlyQuantConfig, MatMulNBitsQuantizer

SIDE_FILES = ("genai_config.json", "tokenizer.json", "tokenizer_config.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--block", type=int, required=True)
    ap.add_argument("--bits", type=int, default=4)
    args = ap.parse_args()
    os.makedirs(args.dst, exist_ok=True)
    q = MatMulNBitsQuantizer(onnx.load(os.path.join(args.src, "model.onnx")),
                             algo_config=HQQWeightOnlyQuantConfig(block_size=args.block, bits=args.bits))
    q.process()
    nodes = [n for n in q.model.model.graph.node if n.op_type == "MatMulNBits"]
    if not nodes or any(len(n.input) < 4 for n in nodes):
        raise SystemExit(f"{args.src}: expected MatMulNBits nodes with float zero points from HQQ")
    q.model.save_model_to_file(os.path.join(args.dst, "model.onnx"), use_external_data_format=True)
    for f in SIDE_FILES:
        shutil.copyfile(os.path.join(args.src, f), os.path.join(args.dst, f))


if __name__ == "__main__":
    main()
