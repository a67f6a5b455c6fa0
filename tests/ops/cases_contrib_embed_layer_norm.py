"""EmbedLayerNormalization (com.microsoft) against ONNX Runtime: word + position (+ segment)
embeddings then LayerNorm; with and without segment embeddings, mask (mask_index output),
position_ids [B, S] and broadcast [1, S], embedding_sum output (GPT-2's first residual), epsilon,
fp16 tables (ORT's CPU kernel is fp32 only, so compared with ORT on the fp32 model of the same
values, narrowed to fp16). Tolerance atol/rtol 1e-5 for fp32 (a two-pass LayerNorm over at most
64 values); 2e-3 for fp16 (a few fp16 ulps of outputs up to about 4)."""
import numpy as np
from onnx import TensorProto

from opcase import Case, single_node

MS = "com.microsoft"


def _model(inputs, initializers, order, outputs, elem, epsilon):
    types = {"output": elem, "mask_index": TensorProto.INT32, "embedding_sum": elem}
    attrs = {} if epsilon is None else {"epsilon": epsilon}
    return single_node("EmbedLayerNormalization", inputs, outputs, initializers=initializers, domain=MS,
                       input_order=order, output_types=types, **attrs)


def _case(name, seed, *, batch=2, seq=5, hidden=32, vocab=50, positions=16, segments=0, mask=False,
          position_ids="", embedding_sum=False, epsilon=None, dtype=np.float32):
    rng = np.random.default_rng(seed)
    inputs = {"input_ids": rng.integers(0, vocab, (batch, seq)).astype(np.int32)}
    initializers = {
        "word_embedding": rng.standard_normal((vocab, hidden)).astype(np.float32),
        "position_embedding": rng.standard_normal((positions, hidden)).astype(np.float32),
        "gamma": (1 + 0.1 * rng.standard_normal(hidden)).astype(np.float32),
        "beta": (0.1 * rng.standard_normal(hidden)).astype(np.float32),
    }
    order = ["input_ids", "", "word_embedding", "position_embedding", "", "gamma", "beta", "", ""]
    if segments:
        inputs["segment_ids"] = rng.integers(0, segments, (batch, seq)).astype(np.int32)
        initializers["segment_embedding"] = rng.standard_normal((segments, hidden)).astype(np.float32)
        order[1], order[4] = "segment_ids", "segment_embedding"
    if mask:
        m = np.ones((batch, seq), dtype=np.int32)
        m[0, -2:] = 0
        inputs["mask"] = m
        order[7] = "mask"
    if position_ids:
        rows = 1 if position_ids == "broadcast" else batch
        inputs["position_ids"] = rng.integers(0, positions, (rows, seq)).astype(np.int32)
        order[8] = "position_ids"
    while order[-1] == "":
        order.pop()
    outputs = ["output", "mask_index"] + (["embedding_sum"] if embedding_sum else [])
    if dtype == np.float16:
        narrow = {n: a.astype(np.float16) for n, a in initializers.items()}
        wide = {n: a.astype(np.float32) for n, a in narrow.items()}
        model = _model(inputs, narrow, order, outputs, TensorProto.FLOAT16, epsilon)
        reference = _model(inputs, wide, order, outputs, TensorProto.FLOAT, epsilon)
        return Case("contrib_embed_layer_norm_" + name, model, inputs, atol=2e-3, rtol=2e-3, fp32_reference=reference)
    model = _model(inputs, initializers, order, outputs, TensorProto.FLOAT, epsilon)
    return Case("contrib_embed_layer_norm_" + name, model, inputs, atol=1e-5, rtol=1e-5)


def cases():
    yield _case("basic", 4000)
    yield _case("segments", 4001, segments=2)
    yield _case("segments_mask", 4002, segments=3, mask=True, epsilon=1e-5)
    yield _case("mask", 4003, mask=True)
    yield _case("position_ids", 4004, position_ids="full", embedding_sum=True)
    yield _case("position_ids_broadcast", 4005, position_ids="broadcast")
    yield _case("gpt2_first_step", 4006, batch=1, seq=7, hidden=64, position_ids="full", embedding_sum=True,
                epsilon=1e-5)
    yield _case("one_token", 4007, batch=1, seq=1, position_ids="full", embedding_sum=True)
    yield _case("fp16", 4008, mask=True, position_ids="full", embedding_sum=True, dtype=np.float16)
