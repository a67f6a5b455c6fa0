# Sourced by bench/ppl.sh and bench/kld.sh (from the repository root): builds evalq, sets THREADS
# (default 2) and the results folder `out`, and provides random-weight models with the stories260K
# tokenizer beside them and the WikiText-2 head both sides read.
# The models stay under build/bench-models (generated when missing; possibly a shared, read-only
# folder); each gets a folder under build/bench-work that links to its files and holds the
# tokenizer, whose ids are a subset of the 151,936-token vocabulary, so tokenization is the same
# cheap step on both sides and the time is the model and the scoring.
source bench/bench_models.sh
DATA=${EVALQ_DATA_DIR:-../shared/data}
THREADS=${THREADS:-2}
out=build/bench-results
mkdir -p "$out"
cmake --build build --target evalq >/dev/null

# metric_model genai|genai-int4 SHAPE: prints the folder to pass to evalq and the ORT scripts.
metric_model() {
  local src work=build/bench-work/$1-$2
  src=$(bench_model "$1" "$2") || return 2
  mkdir -p "$work"
  for f in model.onnx model.onnx.data genai_config.json; do ln -sfn "$(realpath "$src/$f")" "$work/$f"; done
  cp ../shared/models/stories260K/tokenizer.json ../shared/models/stories260K/tokenizer_config.json "$work/"
  echo "$work"
}

# The first ~20 windows' worth of WikiText-2 test (raw), enough for any WINDOWS <= 16 here.
metric_text() {
  local text=build/bench-work/wikitext2-head.txt
  mkdir -p build/bench-work
  head -c 200000 "$DATA/wikitext-2/wiki.test.raw" > "$text"
  echo "$text"
}

# wall_seconds CMD...: runs CMD (stdout to /dev/null) and prints its wall time.
wall_seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }'
}
