"""ONNX Runtime's side of build/bench/nbits_matmul_bench: one MatMulNBits node (int4, symmetric,
accuracy_level 4, random weights) timed on an M x K activation, CPU seconds per run.

Usage: nbits_matmul_ort.py M K N [--block B] [--threads T] [--repeat R]"""
import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("M", type=int)
    ap.add_argument("K", type=int)
    ap.add_argument("N", type=int)
    ap.add_argument("--block", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=10)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    blocks = (a.K + a.block - 1) // a.block
    packed = rng.integers(0, 256, (a.N, blocks, a.block // 2), dtype=np.uint8)
    scales = (rng.random(a.N * blocks, dtype=np.float32) * 0.02).astype(np.float32)
    node = helper.make_node("MatMulNBits", ["A", "B", "scales"], ["Y"], domain="com.microsoft", K=a.K, N=a.N, bits=4,
                            block_size=a.block, accuracy_level=4)
    graph = helper.make_graph([node], "nbits", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [a.M, a.K])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [a.M, a.N])],
                              [helper.make_tensor("B", TensorProto.UINT8, packed.shape, packed.tobytes(), raw=True),
                               helper.make_tensor("scales", TensorProto.FLOAT, scales.shape, scales)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)])
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    x = rng.standard_normal((a.M, a.K), dtype=np.float32)
    sess.run(None, {"A": x})
    cpu = []
    for _ in range(a.repeat):
        t = time.process_time()
        sess.run(None, {"A": x})
        cpu.append(time.process_time() - t)
    print(f"M={a.M} K={a.K} N={a.N} block={a.block} threads={a.threads} ort median_cpu_s={statistics.median(cpu):.5f}")


if __name__ == "__main__":
    main()
