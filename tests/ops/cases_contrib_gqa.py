"""GroupQueryAttention (com.microsoft) against ONNX Runtime's CPU kernel: prompt (empty past) and
decoding (past present), a prompt continuing a past, ragged per-batch lengths (prompt and decoding),
packed and unpacked QKV, GQA ratios 1/2/4/8, fused rotary (half or interleaved, implicit or
explicit position_ids), softcap, local window, explicit scale, smooth softmax, head sinks,
attention_bias, fp16.

Tolerance: scores go through exp and a reordered sum over up to ~40 keys (ORT uses MLAS's exp
and sgemm blocking, evalq libm and OpenBLAS), so outputs of magnitude ~1 may differ by a few
ulps more than one op's rounding: atol 1e-5 with rtol 1e-4."""
import dataclasses

import numpy as np
from onnx import TensorProto

from opcase import Case, single_node

MS = "com.microsoft"
FP32_TOL = dict(atol=1e-5, rtol=1e-4)
# fp16 inputs and outputs: ORT computes in fp32 and rounds once, as evalq does; rotated Q/K are
# rounded to fp16 in both. One fp16 ulp at ~2 is 2e-3.
FP16_TOL = dict(atol=2e-3, rtol=2e-3)


@dataclasses.dataclass
class Gqa:
    batch: int = 1
    seq: int = 4
    past: int = 0              # past buffer length
    seqlens: tuple = ()        # per-batch valid keys - 1; default: past + seq - 1
    total: int | None = None   # total_sequence_length input; default past + seq
    heads: int = 4
    kv_heads: int = 2
    head_size: int = 8
    packed: bool = False
    rotary: bool = False
    interleaved: bool = False
    rotary_dim: int = 0        # 0: the whole head; else a cos/sin cache of rotary_dim / 2 columns
    position_ids: bool = False
    softcap: float = 0.0
    local_window: int = -1
    scale: float = 0.0
    smooth: bool = False
    head_sink: bool = False
    attention_bias: bool = False
    dtype: type = np.float32

    def name(self):
        parts = [f"b{self.batch}", f"s{self.seq}", f"past{self.past}", f"n{self.heads}", f"kv{self.kv_heads}",
                 f"h{self.head_size}", "packed" if self.packed else "unpacked", np.dtype(self.dtype).name]
        if self.seqlens:
            parts.append("lens" + "-".join(map(str, self.seqlens)))
        if self.total is not None:
            parts.append(f"total{self.total}")
        if self.rotary:
            parts.append("rot_inter" if self.interleaved else "rot_half")
        if self.rotary_dim:
            parts.append(f"rotdim{self.rotary_dim}")
        if self.position_ids:
            parts.append("posids")
        if self.softcap:
            parts.append(f"softcap{self.softcap:g}")
        if self.local_window > 0:
            parts.append(f"window{self.local_window}")
        if self.scale:
            parts.append(f"scale{self.scale:g}")
        if self.smooth:
            parts.append("smooth")
        if self.head_sink:
            parts.append("sink")
        if self.attention_bias:
            parts.append("bias")
        return "contrib_gqa_" + "_".join(parts)


def _case(c: Gqa, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    B, S, N, K, H = c.batch, c.seq, c.heads, c.kv_heads, c.head_size
    dt = c.dtype
    seqlens = np.array(c.seqlens or [c.past + S - 1] * B, dtype=np.int32)
    total = c.total if c.total is not None else c.past + S
    inputs = {}
    order = []
    if c.packed:
        inputs["query"] = rng.standard_normal((B, S, (N + 2 * K) * H)).astype(dt)
        order += ["query", "", ""]
    else:
        inputs["query"] = rng.standard_normal((B, S, N * H)).astype(dt)
        inputs["key"] = rng.standard_normal((B, S, K * H)).astype(dt)
        inputs["value"] = rng.standard_normal((B, S, K * H)).astype(dt)
        order += ["query", "key", "value"]
    inputs["past_key"] = rng.standard_normal((B, K, c.past, H)).astype(dt)
    inputs["past_value"] = rng.standard_normal((B, K, c.past, H)).astype(dt)
    inputs["seqlens_k"] = seqlens
    inputs["total_sequence_length"] = np.array(total, dtype=np.int32)
    order += ["past_key", "past_value", "seqlens_k", "total_sequence_length"]
    initializers = {}
    if c.rotary:
        max_seq, half = 64, (c.rotary_dim or H) // 2
        angles = np.arange(max_seq)[:, None] / (10000 ** (np.arange(half) / half))[None, :]
        initializers["cos_cache"] = np.cos(angles).astype(dt)
        initializers["sin_cache"] = np.sin(angles).astype(dt)
        order += ["cos_cache", "sin_cache"]
    else:
        order += ["", ""]
    if c.position_ids:
        inputs["position_ids"] = (seqlens[:, None] + 1 - S + np.arange(S)[None, :]).astype(np.int64)
        order.append("position_ids")
    else:
        order.append("")
    if c.attention_bias:
        inputs["attention_bias"] = rng.standard_normal((B, 1, S, total)).astype(dt)
        order.append("attention_bias")
    else:
        order.append("")
    if c.head_sink:
        initializers["head_sink"] = rng.standard_normal(N).astype(dt)
        order.append("head_sink")
    while order and order[-1] == "":
        order.pop()
    attrs = dict(num_heads=N, kv_num_heads=K, do_rotary=int(c.rotary), rotary_interleaved=int(c.interleaved),
                 local_window_size=c.local_window, softcap=c.softcap, scale=c.scale)
    if c.smooth:
        attrs["smooth_softmax"] = 1
    elem = TensorProto.FLOAT16 if dt == np.float16 else TensorProto.FLOAT
    model = single_node("GroupQueryAttention", inputs, ["output", "present_key", "present_value"],
                        initializers=initializers, domain=MS, input_order=order,
                        output_types={"output": elem, "present_key": elem, "present_value": elem}, **attrs)
    return Case(c.name(), model, inputs, **(FP16_TOL if dt == np.float16 else FP32_TOL))


def _variants():
    # GQA ratios 1/2/4/8, prompt and decoding, packed and unpacked.
    for n, kv in [(4, 4), (4, 2), (8, 2), (8, 1)]:
        for packed in (False, True):
            yield Gqa(batch=1, seq=5, past=0, heads=n, kv_heads=kv, packed=packed)
            yield Gqa(batch=2, seq=1, past=6, heads=n, kv_heads=kv, packed=packed)
    yield Gqa(batch=2, seq=4, past=0, heads=4, kv_heads=2)
    # The stories260K layout: 8 heads, 4 kv heads, head size 8, scale 1/sqrt(8).
    yield Gqa(batch=1, seq=7, past=0, heads=8, kv_heads=4, scale=0.35355339)
    yield Gqa(batch=1, seq=1, past=7, heads=8, kv_heads=4, scale=0.35355339)
    # A prompt continuing a past (batch 1).
    yield Gqa(batch=1, seq=3, past=5, heads=4, kv_heads=2)
    yield Gqa(batch=1, seq=3, past=5, heads=4, kv_heads=1, packed=True, rotary=True, head_size=16)
    # Ragged decoding: past buffers longer than some batches' valid keys.
    yield Gqa(batch=2, seq=1, past=6, seqlens=(6, 3), total=7, heads=4, kv_heads=2)
    yield Gqa(batch=3, seq=1, past=8, seqlens=(2, 8, 5), total=9, heads=4, kv_heads=2, packed=True)
    yield Gqa(batch=2, seq=1, past=6, seqlens=(6, 3), total=7, heads=4, kv_heads=2, rotary=True, head_size=16)
    # Ragged (right-padded) prompts: padded query rows see the valid keys only, as in ORT.
    yield Gqa(batch=2, seq=4, past=0, seqlens=(3, 1), total=4, heads=2, kv_heads=1)
    yield Gqa(batch=3, seq=5, past=0, seqlens=(4, 2, 0), total=5, heads=4, kv_heads=2, head_size=16, packed=True,
              rotary=True)
    # Past buffer longer than the total (present keeps the buffer's length).
    yield Gqa(batch=1, seq=1, past=10, seqlens=(5,), total=6, heads=4, kv_heads=2)
    # Fused rotary.
    for interleaved in (False, True):
        for packed in (False, True):
            yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=2, head_size=16, rotary=True,
                      interleaved=interleaved, packed=packed)
            yield Gqa(batch=2, seq=1, past=6, heads=4, kv_heads=2, head_size=16, rotary=True,
                      interleaved=interleaved, packed=packed)
    yield Gqa(batch=2, seq=1, past=6, heads=4, kv_heads=2, head_size=32, rotary=True, position_ids=True)
    yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=2, head_size=32, rotary=True, rotary_dim=16)
    yield Gqa(batch=2, seq=1, past=6, heads=4, kv_heads=2, head_size=32, rotary=True, rotary_dim=16, interleaved=True,
              packed=True)
    yield Gqa(batch=1, seq=6, past=0, heads=4, kv_heads=2, head_size=16, rotary=True, position_ids=True)
    # Score transforms.
    yield Gqa(batch=1, seq=6, past=0, heads=4, kv_heads=2, softcap=2.0)
    yield Gqa(batch=2, seq=1, past=7, heads=4, kv_heads=2, softcap=1.5)
    yield Gqa(batch=1, seq=8, past=0, heads=4, kv_heads=2, local_window=3)
    yield Gqa(batch=2, seq=1, past=9, heads=4, kv_heads=2, local_window=4)
    yield Gqa(batch=1, seq=3, past=6, heads=4, kv_heads=2, local_window=2)
    yield Gqa(batch=1, seq=8, past=0, heads=4, kv_heads=2, local_window=3, softcap=3.0)
    yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=2, scale=0.2)
    yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=2, smooth=True)
    yield Gqa(batch=2, seq=1, past=5, heads=4, kv_heads=2, head_sink=True)
    yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=2, head_sink=True)
    yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=2, attention_bias=True)
    yield Gqa(batch=2, seq=1, past=5, heads=4, kv_heads=2, attention_bias=True, softcap=2.0)
    # Long prompts: several 128-row causal blocks per head (the last partial), run as tasks.
    yield Gqa(batch=1, seq=300, past=0, heads=4, kv_heads=2, head_size=16)
    yield Gqa(batch=2, seq=260, past=0, heads=4, kv_heads=1, head_size=16, packed=True, local_window=100, softcap=3.0)
    yield Gqa(batch=1, seq=260, past=40, heads=4, kv_heads=2, head_size=16)
    # fp16 inputs, past and outputs.
    yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=2, dtype=np.float16)
    yield Gqa(batch=2, seq=1, past=6, heads=8, kv_heads=2, dtype=np.float16, packed=True)
    yield Gqa(batch=2, seq=1, past=6, heads=4, kv_heads=2, head_size=16, rotary=True, interleaved=True,
              dtype=np.float16)
    yield Gqa(batch=1, seq=5, past=0, heads=4, kv_heads=1, head_size=16, rotary=True, packed=True,
              dtype=np.float16, softcap=2.0)


def cases():
    for i, c in enumerate(_variants()):
        yield _case(c, 1000 + i)
