"""Builds a random-weight decoder-only LLM as an Optimum-style ONNX graph (standard ops only).

The graph follows what torch.onnx exports of HF Llama/Qwen2 contain: Gather embedding, RMSNorm
decomposed into Pow/ReduceMean/Add/Sqrt/Div/Mul, q/k/v MatMuls (Qwen2: with bias), RoPE via
Gather of cos/sin tables and rotate_half (Slice/Neg/Concat), KV concat with past, grouped-query
repeat_kv (Unsqueeze/Expand/Reshape), causal + padding mask (Range/LessOrEqual/And/Where),
Softmax attention, SiLU MLP (Sigmoid/Mul), lm_head. Inputs and outputs use Optimum's names.

Used by tests (small GQA models checked against ONNX Runtime) and by bench/ (large models).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SHAPES = {
    # name: hidden, layers, heads, kv_heads, intermediate, vocab, qkv_bias
    "llama-1b-ish": (1024, 8, 16, 4, 2816, 32000, False),
    "qwen2-0.5b": (896, 24, 14, 2, 4864, 151936, True),
}


class Builder:
    def __init__(self, rng, dtype=np.float32):
        self.nodes, self.inits, self.rng, self.dtype, self.n = [], [], rng, dtype, 0

    def name(self, p):
        self.n += 1
        return f"{p}_{self.n}"

    def const(self, value, name=None, dtype=None):
        arr = np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)
        name = name or self.name("const")
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def weight(self, shape, name, scale):
        return self.const((self.rng.standard_normal(shape) * scale).astype(self.dtype), name)

    def op(self, op_type, inputs, n_out=1, name=None, **attrs):
        base = name or self.name(op_type)
        outs = [f"{base}_out{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=base, **attrs))
        return outs[0] if n_out == 1 else outs


def rms_norm(b, x, hidden, prefix, eps=1e-5):
    sq = b.op("Pow", [x, b.const(np.float32(2.0))])
    mean = b.op("ReduceMean", [sq, b.const(np.array([-1], np.int64))], keepdims=1)
    std = b.op("Sqrt", [b.op("Add", [mean, b.const(np.float32(eps))])])
    inv = b.op("Div", [b.const(np.float32(1.0)), std])
    w = b.const(np.ones(hidden, np.float32) + b.rng.standard_normal(hidden).astype(np.float32) * 0.1, f"{prefix}.weight")
    return b.op("Mul", [b.op("Mul", [x, inv]), w])


def rotate_half(b, x, head_dim):
    half = head_dim // 2
    axes = b.const(np.array([-1], np.int64))
    x1 = b.op("Slice", [x, b.const(np.array([0], np.int64)), b.const(np.array([half], np.int64)), axes])
    x2 = b.op("Slice", [x, b.const(np.array([half], np.int64)), b.const(np.array([head_dim], np.int64)), axes])
    return b.op("Concat", [b.op("Neg", [x2]), x1], axis=-1)


def build(hidden, layers, heads, kv_heads, inter, vocab, qkv_bias, seed=0, max_pos=4096, theta=10000.0):
    rng = np.random.default_rng(seed)
    b = Builder(rng)
    hd = hidden // heads
    n_rep = heads // kv_heads
    ids, mask, pos = "input_ids", "attention_mask", "position_ids"
    inputs = [helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch_size", "total_sequence_length"]),
              helper.make_tensor_value_info(pos, TensorProto.INT64, ["batch_size", "sequence_length"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", vocab])]

    inv_freq = 1.0 / theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd)
    freqs = np.outer(np.arange(max_pos, dtype=np.float64), inv_freq)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos = b.op("Unsqueeze", [b.op("Gather", [b.const(np.cos(emb).astype(np.float32), "cos_cached"), pos]),
                             b.const(np.array([1], np.int64))])
    sin = b.op("Unsqueeze", [b.op("Gather", [b.const(np.sin(emb).astype(np.float32), "sin_cached"), pos]),
                             b.const(np.array([1], np.int64))])

    # Causal + padding mask [B, 1, S, T]: key j is visible to the query at position p when j <= p.
    total = b.op("Gather", [b.op("Shape", [mask]), b.const(np.int64(1))], axis=0)
    kpos = b.op("Range", [b.const(np.int64(0)), total, b.const(np.int64(1))])
    kpos = b.op("Reshape", [kpos, b.const(np.array([1, 1, 1, -1], np.int64))])
    qpos = b.op("Unsqueeze", [pos, b.const(np.array([1, 3], np.int64))])
    causal = b.op("LessOrEqual", [kpos, qpos])
    padding = b.op("Cast", [b.op("Unsqueeze", [mask, b.const(np.array([1, 2], np.int64))])], to=TensorProto.BOOL)
    visible = b.op("And", [causal, padding])
    attn_bias = b.op("Where", [visible, b.const(np.float32(0.0)), b.const(np.float32(np.finfo(np.float32).min))])

    x = b.op("Gather", [b.weight((vocab, hidden), "model.embed_tokens.weight", 0.5), ids])
    scale = b.const(np.float32(1.0 / np.sqrt(hd)))
    for i in range(layers):
        p = f"model.layers.{i}"
        h = rms_norm(b, x, hidden, f"{p}.input_layernorm")

        def proj(name, n_heads):
            y = b.op("MatMul", [h, b.weight((hidden, n_heads * hd), f"{p}.self_attn.{name}.weight", hidden ** -0.5)])
            if qkv_bias:
                y = b.op("Add", [y, b.weight((n_heads * hd,), f"{p}.self_attn.{name}.bias", 0.1)])
            y = b.op("Reshape", [y, b.const(np.array([0, 0, n_heads, hd], np.int64))])
            return b.op("Transpose", [y], perm=[0, 2, 1, 3])

        q, k, v = proj("q_proj", heads), proj("k_proj", kv_heads), proj("v_proj", kv_heads)
        q = b.op("Add", [b.op("Mul", [q, cos]), b.op("Mul", [rotate_half(b, q, hd), sin])])
        k = b.op("Add", [b.op("Mul", [k, cos]), b.op("Mul", [rotate_half(b, k, hd), sin])])
        past_k, past_v = f"past_key_values.{i}.key", f"past_key_values.{i}.value"
        for n in (past_k, past_v):
            inputs.append(helper.make_tensor_value_info(n, TensorProto.FLOAT,
                                                        ["batch_size", kv_heads, "past_sequence_length", hd]))
        k_all = b.op("Concat", [past_k, k], axis=2, name=f"present.{i}.key_concat")
        v_all = b.op("Concat", [past_v, v], axis=2, name=f"present.{i}.value_concat")
        b.nodes.append(helper.make_node("Identity", [k_all], [f"present.{i}.key"]))
        b.nodes.append(helper.make_node("Identity", [v_all], [f"present.{i}.value"]))
        for n in (f"present.{i}.key", f"present.{i}.value"):
            outputs.append(helper.make_tensor_value_info(n, TensorProto.FLOAT,
                                                         ["batch_size", kv_heads, "total_sequence_length", hd]))

        def repeat_kv(t):
            if n_rep == 1:
                return t
            shape = b.op("Shape", [t])
            bh = b.op("Slice", [shape, b.const(np.array([0], np.int64)), b.const(np.array([2], np.int64))])
            td = b.op("Slice", [shape, b.const(np.array([2], np.int64)), b.const(np.array([4], np.int64))])
            target = b.op("Concat", [bh, b.const(np.array([n_rep], np.int64)), td], axis=0)
            expanded = b.op("Expand", [b.op("Unsqueeze", [t, b.const(np.array([2], np.int64))]), target])
            return b.op("Reshape", [expanded, b.const(np.array([0, heads, -1, hd], np.int64))])

        scores = b.op("MatMul", [q, b.op("Transpose", [repeat_kv(k_all)], perm=[0, 1, 3, 2])])
        scores = b.op("Add", [b.op("Mul", [scores, scale]), attn_bias])
        probs = b.op("Softmax", [scores], axis=-1)
        ctx = b.op("Transpose", [b.op("MatMul", [probs, repeat_kv(v_all)])], perm=[0, 2, 1, 3])
        ctx = b.op("Reshape", [ctx, b.const(np.array([0, 0, hidden], np.int64))])
        x = b.op("Add", [x, b.op("MatMul", [ctx, b.weight((hidden, hidden), f"{p}.self_attn.o_proj.weight",
                                                                 hidden ** -0.5)])])
        h = rms_norm(b, x, hidden, f"{p}.post_attention_layernorm")
        gate = b.op("MatMul", [h, b.weight((hidden, inter), f"{p}.mlp.gate_proj.weight", hidden ** -0.5)])
        up = b.op("MatMul", [h, b.weight((hidden, inter), f"{p}.mlp.up_proj.weight", hidden ** -0.5)])
        act = b.op("Mul", [gate, b.op("Sigmoid", [gate])])
        x = b.op("Add", [x, b.op("MatMul", [b.op("Mul", [act, up]),
                                            b.weight((inter, hidden), f"{p}.mlp.down_proj.weight", inter ** -0.5)])])
    h = rms_norm(b, x, hidden, "model.norm")
    b.nodes.append(helper.make_node("MatMul", [h, b.weight((hidden, vocab), "lm_head.weight", hidden ** -0.5)],
                                    ["logits"], name="/lm_head/MatMul"))
    graph = helper.make_graph(b.nodes, "random_llama", inputs, outputs, initializer=b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="evalq-test")
    model.ir_version = 8
    return model


def save(model, folder, external=False):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=1024)
    else:
        onnx.save_model(model, path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=sorted(SHAPES), default="llama-1b-ish")
    ap.add_argument("--layers", type=int, help="override the layer count")
    ap.add_argument("--out", required=True, help="folder to write model.onnx (+ model.onnx.data) into")
    args = ap.parse_args()
    hidden, layers, heads, kv, inter, vocab, bias = SHAPES[args.shape]
    model = build(hidden, args.layers or layers, heads, kv, inter, vocab, bias)
    print(save(model, args.out, external=True))


if __name__ == "__main__":
    main()
