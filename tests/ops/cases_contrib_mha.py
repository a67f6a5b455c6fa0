"""MultiHeadAttention (com.microsoft) against ONNX Runtime: self and cross attention, 3-D and
per-head 4-D key/value, QKV bias, key_padding_mask, attention_bias, unidirectional, past/present,
explicit scale, fp16. Tolerance as for GroupQueryAttention (exp and reordered sums): atol 1e-5,
rtol 1e-4."""
import dataclasses

import numpy as np
from onnx import TensorProto

from opcase import Case, single_node

MS = "com.microsoft"
FP32_TOL = dict(atol=1e-5, rtol=1e-4)
FP16_TOL = dict(atol=2e-3, rtol=2e-3)


@dataclasses.dataclass
class Mha:
    batch: int = 2
    seq: int = 4
    kv_seq: int = 4
    past: int = 0
    heads: int = 4
    head_size: int = 8
    v_head_size: int = 8
    per_head_kv: bool = False
    bias: bool = False
    padding_mask: bool = False
    attention_bias: str = ""   # "", "heads" ([1, N, S, T]) or "batch" ([B, 1, S, T])
    unidirectional: bool = False
    scale: float = 0.0
    dtype: type = np.float32

    def name(self):
        parts = [f"b{self.batch}", f"s{self.seq}", f"kv{self.kv_seq}", f"past{self.past}", f"n{self.heads}",
                 f"h{self.head_size}", f"hv{self.v_head_size}", np.dtype(self.dtype).name]
        for flag, label in [(self.per_head_kv, "bnsh_kv"), (self.bias, "bias"), (self.padding_mask, "padmask"),
                            (self.unidirectional, "causal")]:
            if flag:
                parts.append(label)
        if self.attention_bias:
            parts.append("attnbias_" + self.attention_bias)
        if self.scale:
            parts.append(f"scale{self.scale:g}")
        return "contrib_mha_" + "_".join(parts)


def _case(c: Mha, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    B, S, L, P, N, H, Hv, dt = c.batch, c.seq, c.kv_seq, c.past, c.heads, c.head_size, c.v_head_size, c.dtype
    T = P + L
    inputs = {"query": rng.standard_normal((B, S, N * H)).astype(dt)}
    if c.per_head_kv:
        inputs["key"] = rng.standard_normal((B, N, L, H)).astype(dt)
        inputs["value"] = rng.standard_normal((B, N, L, Hv)).astype(dt)
    else:
        inputs["key"] = rng.standard_normal((B, L, N * H)).astype(dt)
        inputs["value"] = rng.standard_normal((B, L, N * Hv)).astype(dt)
    order = ["query", "key", "value"]
    initializers = {}
    if c.bias:
        initializers["bias"] = rng.standard_normal(2 * N * H + N * Hv).astype(dt)
        order.append("bias")
    else:
        order.append("")
    if c.padding_mask:
        mask = np.ones((B, T), dtype=np.int32)
        mask[0, -2:] = 0
        inputs["key_padding_mask"] = mask
        order.append("key_padding_mask")
    else:
        order.append("")
    if c.attention_bias:
        shape = (1, N, S, T) if c.attention_bias == "heads" else (B, 1, S, T)
        inputs["attention_bias"] = rng.standard_normal(shape).astype(dt)
        order.append("attention_bias")
    else:
        order.append("")
    outputs = ["output"]
    if P > 0:
        inputs["past_key"] = rng.standard_normal((B, N, P, H)).astype(dt)
        inputs["past_value"] = rng.standard_normal((B, N, P, Hv)).astype(dt)
        order += ["past_key", "past_value"]
        outputs += ["present_key", "present_value"]
    while order[-1] == "":
        order.pop()
    elem = TensorProto.FLOAT16 if dt == np.float16 else TensorProto.FLOAT
    model = single_node("MultiHeadAttention", inputs, outputs, initializers=initializers, domain=MS,
                        input_order=order, output_types={o: elem for o in outputs}, num_heads=N,
                        unidirectional=int(c.unidirectional), scale=c.scale)
    return Case(c.name(), model, inputs, **(FP16_TOL if dt == np.float16 else FP32_TOL))


def _variants():
    yield Mha()
    yield Mha(batch=1, seq=3, kv_seq=6)
    yield Mha(bias=True)
    yield Mha(batch=2, seq=2, kv_seq=5, bias=True, v_head_size=16)
    yield Mha(per_head_kv=True, seq=3, kv_seq=6)
    yield Mha(padding_mask=True)
    yield Mha(unidirectional=True, seq=5, kv_seq=5)
    yield Mha(attention_bias="heads")
    yield Mha(attention_bias="batch", seq=3, kv_seq=6)
    yield Mha(scale=0.25)
    yield Mha(seq=1, kv_seq=1, past=5, unidirectional=True)
    yield Mha(seq=3, kv_seq=3, past=4, unidirectional=True, bias=True)
    yield Mha(seq=1, kv_seq=1, past=5, padding_mask=True)
    # Large products: evalq runs heads in turn with threaded sgemm.
    yield Mha(batch=1, seq=128, kv_seq=128, head_size=16, v_head_size=16, unidirectional=True, bias=True)
    yield Mha(dtype=np.float16, bias=True)
    yield Mha(dtype=np.float16, seq=1, kv_seq=1, past=6, unidirectional=True)


def cases():
    for i, c in enumerate(_variants()):
        yield _case(c, 2000 + i)
