#!/usr/bin/env bash
# `evalq kld BASE QUANT` (modelopt windows, --seq 1024 --chunk 512) against bench/kld_ort.py doing
# the same job with ONNX Runtime: the random-weight Model Builder Qwen2-0.5B-shaped fp32 model
# against its int4 copy (MatMulNBits block 32, accuracy_level 4) over the first windows of
# WikiText-2. Reports the window loop's tokens/s (models loaded) and the whole job's wall time.
# Usage: bench/kld.sh [WINDOWS]   (THREADS, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/metric_models.sh
WINDOWS=${1:-4}
base=$(metric_model genai qwen2-0.5b)
quant=$(metric_model genai-int4 qwen2-0.5b)
text=$(metric_text)
echo "== kld, genai qwen2-0.5b random fp32 vs int4, seq 1024 chunk 512, $WINDOWS windows, $THREADS threads"
evalq_wall=$(wall_seconds env EVALQ_PROGRESS=0 build/evalq kld "$base" "$quant" --data "$text" --seq 1024 --chunk 512 \
  --max-windows "$WINDOWS" --threads "$THREADS" --json "$out/kld_evalq.json")
ort_wall=$(wall_seconds sh -c "$PY bench/kld_ort.py '$base' '$quant' --text '$text' --seq 1024 --chunk 512 \
  --max-windows $WINDOWS --threads $THREADS > $out/kld_ort.json")
EVALQ_WALL=$evalq_wall ORT_WALL=$ort_wall $PY - <<'PYEOF'
import json, os
e = json.load(open("build/bench-results/kld_evalq.json"))
o = json.load(open("build/bench-results/kld_ort.json"))
ew, ow = float(os.environ["EVALQ_WALL"]), float(os.environ["ORT_WALL"])
print(f"evalq: KLD {e['kld']['mean']:.6f}, PPL {e['ppl_base']:.4f} / {e['ppl_quant']:.4f}, {e['tokens_scored']} tokens "
      f"in {e['seconds']:.1f} s = {e['tokens_per_second']:.1f} tok/s; job {ew:.1f} s")
print(f"ORT  : KLD {o['kld_mean']:.6f}, PPL {o['ppl_base']:.4f} / {o['ppl_quant']:.4f}, {o['tokens_scored']} tokens "
      f"in {o['seconds']:.1f} s = {o['tokens_per_second']:.1f} tok/s; job {ow:.1f} s")
print(f"speed ratio evalq/ORT: windows {e['tokens_per_second'] / o['tokens_per_second']:.2f}, job {ow / ew:.2f}; "
      f"KLD relative difference {abs(e['kld']['mean'] - o['kld_mean']) / o['kld_mean']:.2e}")
PYEOF
