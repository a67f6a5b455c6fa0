#!/usr/bin/env bash
# Prefill speed, evalq vs ONNX Runtime, on random-weight models (same window, same threads,
# interleaved runs). Usage: bench/prefill.sh [MODEL ...] where MODEL is
#   SHAPE              Optimum-style fp32 graph (bench/make_random_llama.py shapes: llama-1b-ish, qwen2-0.5b)
#   genai:SHAPE        Model Builder CPU layout, fp32 (bench/make_genai_llama.py)
#   genai-int4:SHAPE   the same quantized by `evalq quantize --sim int4:block=32,act=int8` (MatMulNBits,
#                      block 32, accuracy_level 4, as Model Builder's default int4)
# Default: llama-1b-ish. Models are generated under build/bench-models/ (never committed).
# evalq computes every logits row, as ORT does (ROWS=last times what a metric scoring one position pays).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv-test/bin/python
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
ROWS=${ROWS:-all}
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(llama-1b-ish)
cmake --build build --target prefill_evalq evalq >/dev/null
for spec in "${models[@]}"; do
  kind=${spec%%:*}; shape=${spec#*:}
  [ "$kind" = "$spec" ] && kind=optimum
  dir=build/bench-models/$kind-$shape
  case $kind in
    optimum) [ -f "$dir/model.onnx" ] || $PY bench/make_random_llama.py --shape "$shape" --out "$dir" >/dev/null ;;
    genai) [ -f "$dir/model.onnx" ] || $PY bench/make_genai_llama.py --shape "$shape" --out "$dir" >/dev/null ;;
    genai-int4)
      src=build/bench-models/genai-$shape
      [ -f "$src/model.onnx" ] || $PY bench/make_genai_llama.py --shape "$shape" --out "$src" >/dev/null
      [ -f "$dir/model.onnx" ] || build/evalq quantize "$src" --sim int4:block=32,act=int8 --out "$dir" --force >/dev/null ;;
    *) echo "unknown model kind '$kind'" >&2; exit 2 ;;
  esac
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
