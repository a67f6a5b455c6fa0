"""Times one prefill window in ONNX Runtime, fed exactly as bench/prefill_evalq feeds evalq."""
import argparse
import resource
import statistics
import time

import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--tokens", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--opt", default="all", choices=["disabled", "basic", "extended", "all"])
    args = ap.parse_args()
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = {"disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                                   "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                                   "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                                   "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}[args.opt]
    path = args.model if args.model.endswith(".onnx") else args.model + "/model.onnx"
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    n = args.tokens
    ids = np.array([[1 + (i * 7919) % 500 for i in range(n)]], dtype=np.int64)
    feeds = {}
    for inp in sess.get_inputs():
        t = np.int32 if inp.type == "tensor(int32)" else np.int64
        if inp.name == "input_ids":
            feeds[inp.name] = ids.astype(t)
        elif inp.name == "attention_mask":
            feeds[inp.name] = np.ones((1, n), dtype=t)
        elif inp.name == "position_ids":
            feeds[inp.name] = np.arange(n, dtype=t)[None, :]
        else:
            dtype = np.float16 if inp.type == "tensor(float16)" else np.float32
            feeds[inp.name] = np.zeros((1, inp.shape[1], 0, inp.shape[3]), dtype=dtype)
    out = ["logits"]
    sess.run(out, feeds)
    # CPU seconds too: with one thread on a shared machine they vary less than wall time.
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        sess.run(out, feeds)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med = statistics.median(times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ort tokens={n} threads={args.threads} median_s={med:.4f} median_cpu_s={statistics.median(cpu):.4f} tokens_per_s={n / med:.1f} peak_rss_mb={rss:.1f}")


if __name__ == "__main__":
    main()
