"""RotaryEmbedding (com.microsoft) against ONNX Runtime: 3-D [B, S, hidden] and 4-D [B, N, S, H]
inputs, interleaved or half rotation, partial rotary_embedding_dim, position_ids as [B, S] or a
single start, fp32 and fp16."""
import numpy as np

from opcase import Case, single_node

MS = "com.microsoft"
FP16_TOL = dict(atol=2e-3, rtol=1e-3)  # one fp16 rounding of an fp32 result of magnitude <= ~4


def _cache(max_seq, half, dtype):
    inv_freq = 1.0 / (10000 ** (np.arange(half) / half))
    angles = np.arange(max_seq)[:, None] * inv_freq[None, :]
    return np.cos(angles).astype(dtype), np.sin(angles).astype(dtype)


def cases():
    variants = [
        # batch, seq, heads, head_size, rotary_dim attr (0: whole head), num_heads attr, 4-D, interleaved,
        # position ids as one start value, dtype
        (1, 5, 4, 8, 0, 0, False, False, False, np.float32),
        (2, 3, 4, 16, 0, 0, False, True, False, np.float32),
        (2, 4, 2, 16, 0, 2, False, False, True, np.float32),
        (2, 3, 3, 32, 16, 3, False, False, False, np.float32),
        (2, 3, 3, 32, 16, 3, False, True, False, np.float32),
        (2, 3, 4, 16, 0, 0, True, False, False, np.float32),
        (1, 6, 2, 16, 0, 2, True, True, True, np.float32),
        (2, 1, 4, 8, 0, 0, False, False, False, np.float32),
        (2, 3, 4, 16, 0, 0, False, False, False, np.float16),
        (2, 3, 4, 16, 0, 0, True, True, False, np.float16),
    ]
    for i, (b, s, n, h, rdim, nattr, four_d, inter, single, dtype) in enumerate(variants):
        rng = np.random.default_rng(300 + i)
        shape = (b, n, s, h) if four_d else (b, s, n * h)
        x = rng.standard_normal(shape).astype(dtype)
        max_seq = 32
        cos, sin = _cache(max_seq, (rdim or h) // 2, dtype)
        if single:
            pos = np.array([7], dtype=np.int64)
        else:
            pos = rng.integers(0, max_seq, size=(b, s)).astype(np.int64)
        inputs = {"x": x, "position_ids": pos}
        model = single_node("RotaryEmbedding", inputs, ["y"], initializers={"cos_cache": cos, "sin_cache": sin},
                            domain=MS, interleaved=int(inter), num_heads=nattr, rotary_embedding_dim=rdim)
        name = (f"contrib_rotary_{np.dtype(dtype).name}_{'x'.join(map(str, shape))}_rdim{rdim}_nh{nattr}"
                f"_inter{int(inter)}_{'start' if single else 'ids'}")
        yield Case(name, model, inputs, **(FP16_TOL if dtype == np.float16 else {}))
