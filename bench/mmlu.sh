#!/usr/bin/env bash
# MMLU speed: `evalq mmlu` (prefix KV reuse, logits only at scored rows) vs the plain lm-eval path
# in ONNX Runtime (tests/mmlu/ref_mmlu.py: one full forward per question), 5-shot, same subjects,
# same threads, on a random-weight Qwen2-0.5B-shaped model with the stories260K tokenizer.
# Usage: bench/mmlu.sh   (env: THREADS=2 LIMIT=5 SUBJECTS=abstract_algebra,anatomy LAYERS=24)
# The model is generated under build/bench-models/ (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv-test/bin/python
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-5}
SUBJECTS=${SUBJECTS:-abstract_algebra,anatomy}
LAYERS=${LAYERS:-24}
DATA=${DATA:-../shared/data/mmlu/data}
TOK=${TOK:-../shared/models/stories260K}
dir=build/bench-models/qwen2-0.5b-L$LAYERS
if [ ! -f "$dir/model.onnx" ]; then
  $PY bench/make_random_llama.py --shape qwen2-0.5b --layers "$LAYERS" --out "$dir" >/dev/null
fi
cp "$TOK/tokenizer.json" "$TOK/tokenizer_config.json" "$dir/"
echo '{"max_position_embeddings": 4096}' > "$dir/config.json"
work=build/bench-work/mmlu
rm -rf "$work" && mkdir -p "$work"
cmake --build build --target evalq >/dev/null
echo "== qwen2-0.5b shape ($LAYERS layers, random weights), 5-shot, $SUBJECTS, --limit $LIMIT, $THREADS threads"
t0=$(date +%s.%N)
EVALQ_PROGRESS=0 build/evalq mmlu "$dir" --threads "$THREADS" --data "$DATA" --subjects "$SUBJECTS" --shots 5 \
  --limit "$LIMIT" --json "$work/evalq.json" >/dev/null
t1=$(date +%s.%N)
$PY tests/mmlu/ref_mmlu.py --data "$DATA" --model "$dir" --subjects "$SUBJECTS" --shots 5 --limit "$LIMIT" \
  --max-length 4096 --threads "$THREADS" --ort-opt all --out "$work/ort"
t2=$(date +%s.%N)
$PY - "$work" "$t0" "$t1" "$t2" <<'PYEOF'
import json, sys
work, t0, t1, t2 = sys.argv[1], *map(float, sys.argv[2:])
e = json.load(open(f"{work}/evalq.json"))
r = json.load(open(f"{work}/ort/predictions.json"))
same = sum(a["pred"] == b["pred"] for s in r for a, b in zip(e["predictions"][s], r[s]))
n = sum(len(v) for v in r.values())
prefix = {s: v["prefix_tokens"] for s, v in e["subjects"].items()}
print(f"evalq {t1 - t0:.1f} s (prefix tokens {prefix}), ORT plain {t2 - t1:.1f} s, "
      f"speed-up {(t2 - t1) / (t1 - t0):.2f}x; same prediction on {same}/{n} questions")
PYEOF
