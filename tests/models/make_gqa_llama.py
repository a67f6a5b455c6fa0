"""Small random-weight grouped-query-attention decoders in Optimum-style standard ops."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import make_random_llama  # noqa: E402


def make(gen_dir, shared_dir):
    # (folder, hidden, layers, heads, kv_heads, intermediate, vocab, qkv_bias)
    for folder, *shape in [("gqa_llama", 64, 2, 8, 2, 160, 512, False),
                           ("gqa_qwen2", 64, 2, 4, 2, 96, 512, True)]:
        model = make_random_llama.build(*shape, seed=7, max_pos=512)
        make_random_llama.save(model, os.path.join(gen_dir, folder), external=folder == "gqa_qwen2")
