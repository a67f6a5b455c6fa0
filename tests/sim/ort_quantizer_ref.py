"""Writes random fp32 weights and what ONNX Runtime's own MatMulNBits quantizer (the C++ MLAS
BlockwiseQuantizer behind MatMulNBitsQuantizer and Model Builder) makes of them, for the
bit-exactness test of evalq's quantizer. OUT/<case>/{w,packed,scales[,zero_points]}.npy."""
import argparse
import os

import numpy as np
from onnxruntime.capi._pybind_state import quantize_matmul_4bits, quantize_matmul_8bits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(5)
    count = 0
    for bits in (4, 8):
        for block in (16, 32, 128):
            for sym in (True, False):
                for K, N in ((64, 24), (172, 40), (33, 7)):
                    w = (rng.standard_normal((K, N)) * rng.uniform(0.01, 2.0)).astype(np.float32)
                    if K == 64:  # exact ties of the largest magnitude, zeros and an all-zero column
                        w[0, 0], w[1, 0] = 1.5, -1.5
                        w[:, 1] = 0.0
                    blocks = (K + block - 1) // block
                    blob = block * bits // 8
                    packed = np.zeros((N, blocks, blob), np.uint8)
                    scales = np.zeros(N * blocks, np.float32)
                    zp_len = N * ((blocks + 1) // 2) if bits == 4 else N * blocks
                    zp = np.zeros(zp_len, np.uint8)
                    quant = quantize_matmul_4bits if bits == 4 else quantize_matmul_8bits
                    quant(packed, np.ascontiguousarray(w), scales, zp, block, N, K, sym)
                    d = os.path.join(args.out, f"b{bits}_blk{block}_{'sym' if sym else 'asym'}_{K}x{N}")
                    os.makedirs(d, exist_ok=True)
                    np.save(os.path.join(d, "w.npy"), w)
                    np.save(os.path.join(d, "packed.npy"), packed)
                    np.save(os.path.join(d, "scales.npy"), scales)
                    if not sym:
                        np.save(os.path.join(d, "zero_points.npy"), zp)
                    count += 1
    print(f"wrote {count} quantizer cases to {args.out}")


if __name__ == "__main__":
    main()
