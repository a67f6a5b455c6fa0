#!/usr/bin/env bash
# Prefill speed, evalq vs ONNX Runtime, on random-weight Llama-shaped models (fp32, same windows,
# same threads, interleaved runs). Usage: bench/prefill.sh [SHAPE ...] (default: llama-1b-ish).
# Models are generated under build/bench-models/ (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv-test/bin/python
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
shapes=("$@")
[ ${#shapes[@]} -eq 0 ] && shapes=(llama-1b-ish)
cmake --build build --target prefill_evalq >/dev/null
for shape in "${shapes[@]}"; do
  dir=build/bench-models/$shape
  [ -f "$dir/model.onnx" ] || $PY bench/make_random_llama.py --shape "$shape" --out "$dir" >/dev/null
  weights=$(stat -c %s "$dir/model.onnx.data")
  echo "== $shape: weights $((weights / 1048576)) MiB, 1024-token prefill, $THREADS threads"
  for round in $(seq "$ROUNDS"); do
    build/bench/prefill_evalq "$dir" --tokens 1024 --threads "$THREADS" | tee -a "$dir/evalq.txt"
    $PY bench/prefill_ort.py "$dir" --tokens 1024 --threads "$THREADS" | tee -a "$dir/ort.txt"
  done
  e=$(grep -o 'tokens_per_s=[0-9.]*' "$dir/evalq.txt" | tail -"$ROUNDS" | cut -d= -f2 | sort -n | tail -1)
  o=$(grep -o 'tokens_per_s=[0-9.]*' "$dir/ort.txt" | tail -"$ROUNDS" | cut -d= -f2 | sort -n | tail -1)
  rss=$(grep -o 'peak_rss_mb=[0-9.]*' "$dir/evalq.txt" | tail -1 | cut -d= -f2)
  awk -v e="$e" -v o="$o" -v rss="$rss" -v w="$weights" 'BEGIN {
    printf "best of %s: evalq %.1f tok/s, ORT %.1f tok/s, ratio %.3f; evalq peak RSS %.0f MiB = %.2fx weights\n",
           ENVIRON["ROUNDS"], e, o, e / o, rss, rss * 1048576 / w }'
done
