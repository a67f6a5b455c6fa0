# Sourced by the bench scripts (from the repository root): the random-weight benchmark models,
# generated under build/bench-models/ when missing (never committed; possibly a shared, read-only
# folder once made).
PY=${PY:-.venv-test/bin/python}

# bench_model KIND SHAPE: makes build/bench-models/KIND-SHAPE if missing and prints that folder.
#   optimum      Optimum-style fp32 graph (bench/make_random_llama.py shapes: llama-1b-ish, qwen2-0.5b)
#   genai        Model Builder CPU layout, fp32 (bench/make_genai_llama.py)
#   genai-int4   the genai model quantized by `evalq quantize --sim int4:block=32,act=int8`
#                (MatMulNBits, block 32, accuracy_level 4, as Model Builder's default int4)
bench_model() {
  local kind=$1 shape=$2 dir=build/bench-models/$1-$2
  if [ ! -f "$dir/model.onnx" ]; then
    case $kind in
      optimum) $PY bench/make_random_llama.py --shape "$shape" --out "$dir" >/dev/null ;;
      genai) $PY bench/make_genai_llama.py --shape "$shape" --out "$dir" >/dev/null ;;
      genai-int4)
        bench_model genai "$shape" >/dev/null
        build/evalq quantize "build/bench-models/genai-$shape" --sim int4:block=32,act=int8 --out "$dir" --force >/dev/null ;;
      *) echo "unknown model kind '$kind'" >&2; return 2 ;;
    esac
  fi
  echo "$dir"
}
