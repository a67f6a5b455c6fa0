"""HF `tokenizers` side of build/bench/tokenize_bench: encode one text file as one string with a
tokenizer.json, best of R runs. Run as `RAYON_NUM_THREADS=1 taskset -c 1 .venv-test/bin/python
bench/tokenize_hf.py TOKENIZER_JSON TEXT [R]` beside the evalq bench on the same core.
"""
import sys
import time

from tokenizers import Tokenizer


def main():
    tok = Tokenizer.from_file(sys.argv[1])
    tok.no_truncation()
    tok.no_padding()
    text = open(sys.argv[2], encoding="utf-8").read()
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    best, count = float("inf"), 0
    for _ in range(rounds):
        t = time.perf_counter()
        count = len(tok.encode(text, add_special_tokens=False).ids)
        best = min(best, time.perf_counter() - t)
    print(f"hf tokens={count} best_s={best:.3f}")


if __name__ == "__main__":
    main()
