"""Attention (com.microsoft, packed QKV; BERT and ORT-optimized GPT-2 graphs) against ONNX Runtime:
with and without the combined past [2, B, N, P, H] (present output), unidirectional 0/1, every
mask_index form ORT's CPU kernel takes (key lengths [B], end/start [2B], raw [B, T], [B, S, T],
the [B, 1] dummy), mask_filter_value, attention_bias, qkv_hidden_sizes (V wider than Q/K, input
hidden wider than Q/K), explicit scale, and fp16 io (ORT's CPU kernel is fp32 only, so the fp16
model is compared with ORT on the fp32 model with the same values, narrowed to fp16).
Tolerance as for MultiHeadAttention (exp and reordered sums): atol 1e-5, rtol 1e-4."""
import dataclasses

import numpy as np
from onnx import TensorProto

from opcase import Case, single_node

MS = "com.microsoft"
FP32_TOL = dict(atol=1e-5, rtol=1e-5)
FP16_TOL = dict(atol=2e-3, rtol=2e-3)


@dataclasses.dataclass
class Att:
    batch: int = 2
    seq: int = 4
    past: int = -1            # -1: no past input; 0: an empty past (the first GPT-2 step)
    heads: int = 4
    head_size: int = 8
    v_head_size: int = 0      # 0: as head_size (no qkv_hidden_sizes)
    input_hidden: int = 0     # 0: heads * head_size
    mask: str = ""            # "", "keylen", "endstart", "raw", "3d", "dummy"
    unidirectional: bool = False
    attention_bias: str = ""  # "", "full" ([B, N, S, T]), "heads" ([1, N, S, T])
    scale: float = 0.0
    mask_filter_value: float | None = None
    present: bool = False
    dtype: type = np.float32

    def name(self):
        parts = [f"b{self.batch}", f"s{self.seq}", f"n{self.heads}", f"h{self.head_size}"]
        if self.past >= 0:
            parts.append(f"past{self.past}")
        if self.v_head_size:
            parts.append(f"hv{self.v_head_size}")
        if self.input_hidden:
            parts.append(f"in{self.input_hidden}")
        if self.mask:
            parts.append("mask_" + self.mask)
        if self.unidirectional:
            parts.append("causal")
        if self.attention_bias:
            parts.append("attnbias_" + self.attention_bias)
        if self.scale:
            parts.append(f"scale{self.scale:g}")
        if self.mask_filter_value is not None:
            parts.append(f"filter{self.mask_filter_value:g}")
        if self.present:
            parts.append("present")
        parts.append(np.dtype(self.dtype).name)
        return "contrib_attention_" + "_".join(parts)


def _model(c: Att, inputs, initializers, order, outputs, dt):
    elem = TensorProto.FLOAT16 if dt == np.float16 else TensorProto.FLOAT
    attrs = dict(num_heads=c.heads, unidirectional=int(c.unidirectional))
    if c.v_head_size:
        attrs["qkv_hidden_sizes"] = [c.heads * c.head_size, c.heads * c.head_size, c.heads * c.v_head_size]
    if c.scale:
        attrs["scale"] = c.scale
    if c.mask_filter_value is not None:
        attrs["mask_filter_value"] = c.mask_filter_value
    return single_node("Attention", inputs, outputs, initializers=initializers, domain=MS, input_order=order,
                       output_types={o: elem for o in outputs}, **attrs)


def _case(c: Att, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    B, S, N, H, dt = c.batch, c.seq, c.heads, c.head_size, c.dtype
    Hv = c.v_head_size or H
    D, Dv = N * H, N * Hv
    Di = c.input_hidden or D
    P = max(c.past, 0)
    T = P + S
    inputs = {"input": rng.standard_normal((B, S, Di)).astype(dt)}
    # Weights scaled so the scores spread over a few units, as in trained models.
    initializers = {"weights": (rng.standard_normal((Di, 2 * D + Dv)) / np.sqrt(Di)).astype(dt),
                    "bias": (0.1 * rng.standard_normal(2 * D + Dv)).astype(dt)}
    order = ["input", "weights", "bias"]
    if c.mask == "keylen":
        inputs["mask_index"] = np.array([T, T - 2][:B] + [T] * max(0, B - 2), dtype=np.int32)
    elif c.mask == "endstart":
        inputs["mask_index"] = np.array([T, T - 1][:B] + [T] * max(0, B - 2) + [1, 0][:B] + [0] * max(0, B - 2),
                                        dtype=np.int32)
    elif c.mask == "raw":
        mask = np.ones((B, T), dtype=np.int32)
        mask[0, -2:] = 0
        if B > 1:
            mask[1, :1] = 0
        inputs["mask_index"] = mask
    elif c.mask == "3d":
        inputs["mask_index"] = (rng.random((B, S, T)) > 0.3).astype(np.int32)
        inputs["mask_index"][:, :, 0] = 1
    elif c.mask == "dummy":
        inputs["mask_index"] = np.ones((B, 1), dtype=np.int32)
    order.append("mask_index" if c.mask else "")
    if c.past >= 0:
        inputs["past"] = rng.standard_normal((2, B, N, P, H)).astype(dt)
        order.append("past")
    else:
        order.append("")
    if c.attention_bias:
        shape = (B, N, S, T) if c.attention_bias == "full" else (1, N, S, T)
        inputs["attention_bias"] = rng.standard_normal(shape).astype(dt)
        order.append("attention_bias")
    while order[-1] == "":
        order.pop()
    outputs = ["output"] + (["present"] if c.present or c.past >= 0 else [])
    model = _model(c, inputs, initializers, order, outputs, dt)
    if dt == np.float16:
        wide = {n: a.astype(np.float32) for n, a in initializers.items()}
        wide_inputs = {n: a.astype(np.float32) if a.dtype == np.float16 else a for n, a in inputs.items()}
        reference = _model(c, wide_inputs, wide, order, outputs, np.float32)
        return Case(c.name(), model, inputs, fp32_reference=reference, **FP16_TOL)
    return Case(c.name(), model, inputs, **FP32_TOL)


def _variants():
    yield Att()
    yield Att(batch=1, seq=1)
    yield Att(unidirectional=True, seq=5)
    yield Att(unidirectional=True, present=True)
    yield Att(past=0, unidirectional=True)
    yield Att(past=5, seq=1, unidirectional=True)
    yield Att(past=4, seq=3, unidirectional=True)
    yield Att(past=4, seq=3, unidirectional=False)
    for mask in ["keylen", "endstart", "raw", "3d", "dummy"]:
        yield Att(mask=mask)
        yield Att(mask=mask, unidirectional=True, seq=5)
    yield Att(mask="raw", past=3, seq=2, unidirectional=True)
    yield Att(mask="raw", past=6, seq=1, unidirectional=True, mask_filter_value=-3.4028234663852886e38)
    yield Att(mask="keylen", past=3, seq=3, unidirectional=True)
    yield Att(mask="raw", mask_filter_value=-1000.0)
    yield Att(attention_bias="full")
    yield Att(attention_bias="heads", mask="raw", unidirectional=True)
    yield Att(v_head_size=16)
    yield Att(v_head_size=4, mask="keylen", unidirectional=True)
    yield Att(input_hidden=48)
    yield Att(scale=0.3, unidirectional=True)
    # Large products: evalq runs heads in turn with threaded sgemm.
    yield Att(batch=1, seq=96, heads=4, head_size=16, unidirectional=True, mask="raw")
    yield Att(dtype=np.float16, mask="raw")
    yield Att(dtype=np.float16, past=5, seq=2, unidirectional=True)


def cases():
    for i, c in enumerate(_variants()):
        yield _case(c, 3000 + i)
