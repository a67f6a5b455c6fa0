"""Builds a random-weight decoder in the layout ONNX Runtime GenAI's Model Builder emits for CPU.

Model Builder's CPU default: SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization
(all four outputs, the residual sum carried forward), one packed QKV MatMul (+ bias for
Qwen2-style models), GroupQueryAttention with the rotary embedding fused in (do_rotary=1, cos/sin
caches) and no position_ids input, seqlens_k / total_sequence_length derived from the attention
mask as Model Builder does (ReduceSum - 1, Shape[1]), SiLU MLP, lm_head. Writes model.onnx (+ data)
and a genai_config.json beside it.

Used by tests (small variants checked against ONNX Runtime) and by bench/ (large models).
"""
import argparse
import json
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_random_llama  # noqa: E402

SHAPES = {
    # name: hidden, layers, heads, kv_heads, intermediate, vocab, qkv_bias
    "qwen2-0.5b": (896, 24, 14, 2, 4864, 151936, True),
    "llama-1b-ish": (1024, 8, 16, 4, 2816, 32000, False),
}


def build(hidden, layers, heads, kv_heads, inter, vocab, qkv_bias, seed=0, max_pos=4096, theta=10000.0,
          interleaved=False):
    rng = np.random.default_rng(seed)
    hd = hidden // heads
    nodes, inits = [], []

    def const(arr, name):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def weight(shape, name, scale):
        return const((rng.standard_normal(shape) * scale).astype(np.float32), name)

    def node(op, ins, outs, name, domain=None, **attrs):
        nodes.append(helper.make_node(op, ins, outs, name=name, domain=domain, **attrs))
        return outs[0] if len(outs) == 1 else outs

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", vocab])]

    # Model Builder's attention-mask subgraph: seqlens_k = sum(mask) - 1, total = mask.shape[1].
    m = "/model/attn_mask_reformat/attn_mask_subgraph"
    rsum = node("ReduceSum", ["attention_mask", const(np.array([1], np.int64), f"{m}/axes")], [f"{m}/ReduceSum/output_0"],
                f"{m}/ReduceSum", keepdims=0)
    sub = node("Sub", [rsum, const(np.array(1, np.int64), f"{m}/one")], [f"{m}/Sub/output_0"], f"{m}/Sub")
    seqlens_k = node("Cast", [sub], [f"{m}/Sub/Cast/output_0"], f"{m}/Sub/Cast", to=TensorProto.INT32)
    shape = node("Shape", ["attention_mask"], [f"{m}/Shape/output_0"], f"{m}/Shape")
    total = node("Gather", [shape, const(np.array(1, np.int64), f"{m}/idx1")], [f"{m}/Gather/output_0"], f"{m}/Gather", axis=0)
    total = node("Cast", [total], [f"{m}/Gather/Cast/output_0"], f"{m}/Gather/Cast", to=TensorProto.INT32)

    inv_freq = 1.0 / theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd)
    freqs = np.outer(np.arange(max_pos, dtype=np.float64), inv_freq)
    cos_cache = const(np.cos(freqs).astype(np.float32), "cos_cache")
    sin_cache = const(np.sin(freqs).astype(np.float32), "sin_cache")

    x = node("Gather", [weight((vocab, hidden), "model.embed_tokens.weight", 0.5), "input_ids"],
             ["/model/embed_tokens/Gather/output_0"], "/model/embed_tokens/Gather")
    residual = x
    normed = node("SimplifiedLayerNormalization", [x, const(1 + 0.1 * rng.standard_normal(hidden).astype(np.float32),
                                                            "model.layers.0.input_layernorm.weight")],
                  ["/model/layers.0/input_layernorm/output_0"], "/model/layers.0/input_layernorm", axis=-1, epsilon=1e-5,
                  stash_type=1)
    q_size, kv_size = heads * hd, kv_heads * hd
    for i in range(layers):
        p = f"/model/layers.{i}"
        qkv = node("MatMul", [normed, weight((hidden, q_size + 2 * kv_size), f"model.layers.{i}.attn.qkv_proj.weight",
                                             hidden ** -0.5)], [f"{p}/attn/qkv_proj/MatMul/output_0"],
                   f"{p}/attn/qkv_proj/MatMul")
        if qkv_bias:
            qkv = node("Add", [qkv, weight((q_size + 2 * kv_size,), f"model.layers.{i}.attn.qkv_proj.bias", 0.1)],
                       [f"{p}/attn/qkv_proj/Add/output_0"], f"{p}/attn/qkv_proj/Add")
        past_k, past_v = f"past_key_values.{i}.key", f"past_key_values.{i}.value"
        for n in (past_k, past_v):
            inputs.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch_size", kv_heads, "past_sequence_length", hd]))
        pk, pv = f"present.{i}.key", f"present.{i}.value"
        for n in (pk, pv):
            outputs.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch_size", kv_heads, "total_sequence_length", hd]))
        attn = node("GroupQueryAttention", [qkv, "", "", past_k, past_v, seqlens_k, total, cos_cache, sin_cache],
                    [f"{p}/attn/GroupQueryAttention/output_0", pk, pv], f"{p}/attn/GroupQueryAttention",
                    domain="com.microsoft", num_heads=heads, kv_num_heads=kv_heads, scale=float(hd ** -0.5),
                    do_rotary=1, rotary_interleaved=int(interleaved), local_window_size=-1, softcap=0.0)[0]
        o = node("MatMul", [attn, weight((q_size, hidden), f"model.layers.{i}.attn.o_proj.weight", q_size ** -0.5)],
                 [f"{p}/attn/o_proj/MatMul/output_0"], f"{p}/attn/o_proj/MatMul")
        normed, _, _, residual = node(
            "SkipSimplifiedLayerNormalization",
            [residual, o, const(1 + 0.1 * rng.standard_normal(hidden).astype(np.float32),
                                f"model.layers.{i}.post_attention_layernorm.weight")],
            [f"{p}/post_attention_layernorm/output_0", "", "", f"{p}/post_attention_layernorm/output_3"],
            f"{p}/post_attention_layernorm", domain="com.microsoft", epsilon=1e-5)
        gate = node("MatMul", [normed, weight((hidden, inter), f"model.layers.{i}.mlp.gate_proj.weight", hidden ** -0.5)],
                    [f"{p}/mlp/gate_proj/MatMul/output_0"], f"{p}/mlp/gate_proj/MatMul")
        up = node("MatMul", [normed, weight((hidden, inter), f"model.layers.{i}.mlp.up_proj.weight", hidden ** -0.5)],
                  [f"{p}/mlp/up_proj/MatMul/output_0"], f"{p}/mlp/up_proj/MatMul")
        sig = node("Sigmoid", [gate], [f"{p}/mlp/act_fn/Sigmoid/output_0"], f"{p}/mlp/act_fn/Sigmoid")
        act = node("Mul", [gate, sig], [f"{p}/mlp/act_fn/Mul/output_0"], f"{p}/mlp/act_fn/Mul")
        prod = node("Mul", [act, up], [f"{p}/mlp/Mul/output_0"], f"{p}/mlp/Mul")
        down = node("MatMul", [prod, weight((inter, hidden), f"model.layers.{i}.mlp.down_proj.weight", inter ** -0.5)],
                    [f"{p}/mlp/down_proj/MatMul/output_0"], f"{p}/mlp/down_proj/MatMul")
        nxt = f"/model/layers.{i + 1}/input_layernorm" if i + 1 < layers else "/model/norm"
        w = f"model.layers.{i + 1}.input_layernorm.weight" if i + 1 < layers else "model.norm.weight"
        normed, _, _, residual = node(
            "SkipSimplifiedLayerNormalization",
            [residual, down, const(1 + 0.1 * rng.standard_normal(hidden).astype(np.float32), w)],
            [f"{nxt}/output_0", "", "", f"{nxt}/output_3"], nxt, domain="com.microsoft", epsilon=1e-5)
    node("MatMul", [normed, weight((hidden, vocab), "lm_head.MatMul.weight", hidden ** -0.5)], ["logits"],
         "/lm_head/MatMul")
    graph = helper.make_graph(nodes, "main_graph", inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)],
                              producer_name="onnxruntime-genai")
    model.ir_version = 10
    config = {"model": {"bos_token_id": 1, "context_length": max_pos, "eos_token_id": [2], "pad_token_id": 0,
                        "type": "qwen2" if qkv_bias else "llama", "vocab_size": vocab,
                        "decoder": {"filename": "model.onnx", "head_size": hd, "hidden_size": hidden,
                                    "num_attention_heads": heads, "num_key_value_heads": kv_heads,
                                    "num_hidden_layers": layers,
                                    "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                                               "past_key_names": "past_key_values.%d.key",
                                               "past_value_names": "past_key_values.%d.value"},
                                    "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                                                "present_value_names": "present.%d.value"}}}}
    return model, config


def save(model, config, folder, external=True):
    path = make_random_llama.save(model, folder, external=external)
    with open(os.path.join(folder, "genai_config.json"), "w") as f:
        json.dump(config, f, indent=4)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=sorted(SHAPES), default="qwen2-0.5b")
    ap.add_argument("--layers", type=int, help="override the layer count")
    ap.add_argument("--out", required=True, help="folder to write model.onnx, model.onnx.data, genai_config.json into")
    args = ap.parse_args()
    hidden, layers, heads, kv, inter, vocab, bias = SHAPES[args.shape]
    model, config = build(hidden, args.layers or layers, heads, kv, inter, vocab, bias)
    print(save(model, config, args.out))


if __name__ == "__main__":
    main()
