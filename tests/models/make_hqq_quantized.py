"""The shared genai-fp32 model quantized by ONNX Runtime's HQQ quantizer (float zero points,
asymmetric, accuracy_level unset), block 32 and 64. ORT's HQQ needs torch: hqq_quantize.py runs in
the interpreter named by EVALQ_HQQ_PYTHON (.venv-hqq, made by scripts/setup.sh)."""
import os
import subprocess
import sys


def make(gen_dir, shared_dir):
    python = os.environ.get("EVALQ_HQQ_PYTHON", "")
    if not python or not os.access(python, os.X_OK):
        raise SystemExit(f"EVALQ_HQQ_PYTHON='{python}' is not an interpreter; run scripts/setup.sh (it makes .venv-hqq)")
    src = os.path.join(shared_dir, "models/stories260K/genai-fp32")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hqq_quantize.py")
    for block in (32, 64):
        dst = os.path.join(gen_dir, f"ortq_hqq_int4_b{block}")
        subprocess.run([python, script, src, dst, "--block", str(block), "--bits", "4"], check=True,
                       stdout=sys.stdout, stderr=sys.stderr)
