#!/usr/bin/env bash
# Prefill speed, evalq vs ONNX Runtime, on random-weight models (same window, same threads,
# interleaved runs). Usage: bench/prefill.sh [MODEL ...] where MODEL is
#   SHAPE or KIND:SHAPE, KIND one of optimum (the default), genai, genai-int4 (bench/bench_models.sh).
# Default: llama-1b-ish.
# evalq computes every logits row, as ORT does (ROWS=last times what a metric scoring one position pays).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/bench_models.sh
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
ROWS=${ROWS:-all}
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(llama-1b-ish)
cmake --build build --target prefill_evalq evalq >/dev/null
for spec in "${models[@]}"; do
  kind=${spec%%:*}; shape=${spec#*:}
  [ "$kind" = "$spec" ] && kind=optimum
  dir=$(bench_model "$kind" "$shape") || exit 2
  weights=$(stat -c %s "$dir/model.onnx.data")
  echo "== $spec: weights $((weights / 1048576)) MiB, 1024-token prefill, $THREADS threads, rows=$ROWS"
  # Results go beside the build, not into the model folder (which may be shared read-only).
  out=build/bench-results/$kind-$shape
  mkdir -p "$out"
  rm -f "$out/evalq.txt" "$out/ort.txt"
  for round in $(seq "$ROUNDS"); do
    build/bench/prefill_evalq "$dir" --tokens 1024 --threads "$THREADS" --rows "$ROWS" | tee -a "$out/evalq.txt"
    $PY bench/prefill_ort.py "$dir" --tokens 1024 --threads "$THREADS" | tee -a "$out/ort.txt"
  done
  e=$(grep -o 'tokens_per_s=[0-9.]*' "$out/evalq.txt" | cut -d= -f2 | sort -n | tail -1)
  o=$(grep -o 'tokens_per_s=[0-9.]*' "$out/ort.txt" | cut -d= -f2 | sort -n | tail -1)
  rss=$(grep -o 'peak_rss_mb=[0-9.]*' "$out/evalq.txt" | cut -d= -f2 | sort -n | tail -1)
  awk -v e="$e" -v o="$o" -v rss="$rss" -v w="$weights" 'BEGIN {
    printf "best of %s: evalq %.1f tok/s, ORT %.1f tok/s, ratio %.3f; evalq peak RSS %.0f MiB = %.2fx weights\n",
           ENVIRON["ROUNDS"], e, o, e / o, rss, rss * 1048576 / w }'
done
