#!/usr/bin/env bash
# `evalq ppl` (modelopt protocol, --seq 1024 --chunk 512) against bench/ppl_ort.py doing the same job
# with ONNX Runtime, on a random-weight Qwen2-0.5B-shaped model over the first windows of WikiText-2.
# The model borrows the stories260K tokenizer (its ids are a subset of the 151,936-token vocabulary),
# so tokenization is the same cheap step on both sides and the time is the model and the scoring.
# Usage: bench/ppl.sh [WINDOWS]   (THREADS, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv-test/bin/python
THREADS=${THREADS:-2}
WINDOWS=${1:-4}
DATA=${EVALQ_DATA_DIR:-../shared/data}
dir=build/bench-models/qwen2-0.5b
[ -f "$dir/model.onnx" ] || $PY bench/make_random_llama.py --shape qwen2-0.5b --out "$dir" >/dev/null
cp ../shared/models/stories260K/tokenizer.json ../shared/models/stories260K/tokenizer_config.json "$dir/"
text=build/bench-models/wikitext2-head.txt
# The first ~20 windows' worth of WikiText-2 test (raw), enough for any WINDOWS <= 16 here.
head -c 200000 "$DATA/wikitext-2/wiki.test.raw" > "$text"
echo "== ppl, qwen2-0.5b random fp32, seq 1024 chunk 512, $WINDOWS windows, $THREADS threads"
EVALQ_PROGRESS=0 build/evalq ppl "$dir" --data "$text" --seq 1024 --chunk 512 --max-windows "$WINDOWS" \
  --threads "$THREADS" --json build/bench-models/ppl_evalq.json >/dev/null
$PY bench/ppl_ort.py "$dir" --text "$text" --seq 1024 --chunk 512 --max-windows "$WINDOWS" --threads "$THREADS" \
  > build/bench-models/ppl_ort.json
$PY - <<'PYEOF'
import json
e = json.load(open("build/bench-models/ppl_evalq.json"))
o = json.load(open("build/bench-models/ppl_ort.json"))
print(f"evalq: PPL {e['ppl']:.6f}, {e['tokens_scored']} tokens in {e['seconds']:.1f} s = {e['tokens_per_second']:.1f} tok/s")
print(f"ORT  : PPL {o['ppl']:.6f}, {o['tokens_scored']} tokens in {o['seconds']:.1f} s = {o['tokens_per_second']:.1f} tok/s")
print(f"speed ratio evalq/ORT {e['tokens_per_second'] / o['tokens_per_second']:.2f}, "
      f"PPL relative difference {abs(e['ppl'] - o['ppl']) / o['ppl']:.2e}")
PYEOF
