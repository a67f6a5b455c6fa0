"""Random-weight decoders in Model Builder's CPU-default layout (packed QKV, rotary fused into
GroupQueryAttention, no position_ids), head size 16, GQA ratios 1/2/4, with and without QKV bias."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import make_genai_llama  # noqa: E402


def make(gen_dir, shared_dir):
    # (folder, hidden, layers, heads, kv_heads, intermediate, vocab, qkv_bias, interleaved)
    for folder, hidden, layers, heads, kv, inter, vocab, bias, inter_rot in [
            ("genai_ratio1", 64, 2, 4, 4, 128, 512, False, False),
            ("genai_ratio2_bias", 64, 2, 4, 2, 128, 512, True, False),
            ("genai_ratio4_interleaved", 128, 2, 8, 2, 192, 512, False, True)]:
        model, config = make_genai_llama.build(hidden, layers, heads, kv, inter, vocab, bias, seed=11, max_pos=512,
                                               interleaved=inter_rot)
        make_genai_llama.save(model, config, os.path.join(gen_dir, folder))
