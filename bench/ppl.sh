#!/usr/bin/env bash
# `evalq ppl` (modelopt protocol, --seq 1024 --chunk 512) against bench/ppl_ort.py doing the same job
# with ONNX Runtime, on the random-weight Model Builder Qwen2-0.5B-shaped fp32 model over the first
# windows of WikiText-2. Reports the window loop's tokens/s (models loaded) and the whole job's
# wall time (process start to exit, loading included) of each side.
# Usage: bench/ppl.sh [WINDOWS]   (THREADS, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/metric_models.sh
WINDOWS=${1:-4}
model=$(metric_model genai qwen2-0.5b)
text=$(metric_text)
echo "== ppl, genai qwen2-0.5b random fp32, seq 1024 chunk 512, $WINDOWS windows, $THREADS threads"
evalq_wall=$(wall_seconds env EVALQ_PROGRESS=0 build/evalq ppl "$model" --data "$text" --seq 1024 --chunk 512 \
  --max-windows "$WINDOWS" --threads "$THREADS" --json "$out/ppl_evalq.json")
ort_wall=$(wall_seconds sh -c "$PY bench/ppl_ort.py '$model' --text '$text' --seq 1024 --chunk 512 \
  --max-windows $WINDOWS --threads $THREADS > $out/ppl_ort.json")
EVALQ_WALL=$evalq_wall ORT_WALL=$ort_wall $PY - <<'PYEOF'
import json, os
e = json.load(open("build/bench-results/ppl_evalq.json"))
o = json.load(open("build/bench-results/ppl_ort.json"))
ew, ow = float(os.environ["EVALQ_WALL"]), float(os.environ["ORT_WALL"])
print(f"evalq: PPL {e['ppl']:.6f}, {e['tokens_scored']} tokens in {e['seconds']:.1f} s = {e['tokens_per_second']:.1f} tok/s; job {ew:.1f} s")
print(f"ORT  : PPL {o['ppl']:.6f}, {o['tokens_scored']} tokens in {o['seconds']:.1f} s = {o['tokens_per_second']:.1f} tok/s; job {ow:.1f} s")
print(f"speed ratio evalq/ORT: windows {e['tokens_per_second'] / o['tokens_per_second']:.2f}, job {ow / ew:.2f}; "
      f"PPL relative difference {abs(e['ppl'] - o['ppl']) / o['ppl']:.2e}")
PYEOF
