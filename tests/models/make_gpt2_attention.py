"""A tiny random-weight GPT-2 in the layout ONNX Runtime's GPT-2 optimization produces (as in
ORT GenAI's tiny-random-gpt2 test model): EmbedLayerNormalization (word + position embeddings,
the first layer's ln_1, embedding_sum as the residual) -> per layer Attention (packed QKV,
unidirectional, mask_filter_value = lowest float, combined past_%d [2, B, N, P, H] -> present_%d)
-> MatMul -> SkipLayerNormalization (projection bias, ln_2) -> MatMul -> FastGelu (bias) ->
MatMul -> SkipLayerNormalization (bias, next ln_1 or ln_f) -> tied-embedding MatMul to logits.
opset 11 + com.microsoft 1; genai_config.json names the KV with past_names/present_names."""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"


def build(hidden=64, layers=2, heads=4, vocab=512, positions=256, seed=5):
    rng = np.random.default_rng(seed)
    head_size = hidden // heads
    inits = []

    def weight(name, shape, scale):
        inits.append(numpy_helper.from_array((scale * rng.standard_normal(shape)).astype(np.float32), name))
        return name

    def norm(name):
        weight(name + "_gamma", (hidden,), 0.1)
        inits[-1] = numpy_helper.from_array(numpy_helper.to_array(inits[-1]) + 1, name + "_gamma")
        return name + "_gamma", weight(name + "_beta", (hidden,), 0.1)

    nodes = [
        helper.make_node("Cast", ["input_ids"], ["input_ids_i32"], to=TensorProto.INT32),
        helper.make_node("Cast", ["position_ids"], ["position_ids_i32"], to=TensorProto.INT32),
        helper.make_node("Cast", ["attention_mask"], ["attention_mask_i32"], to=TensorProto.INT32),
    ]
    wte = weight("wte", (vocab, hidden), 0.15)
    wpe = weight("wpe", (positions, hidden), 0.1)
    g, b = norm("h0_ln_1")
    nodes.append(helper.make_node(
        "EmbedLayerNormalization",
        ["input_ids_i32", "", wte, wpe, "", g, b, "", "position_ids_i32"],
        ["x0", "embed_mask_index", "residual0"], domain=MS, name="EmbedLayerNorm_0", epsilon=1e-5))
    graph_inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total_seq"]),
    ]
    graph_outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", vocab])]
    x, residual = "x0", "residual0"
    for i in range(layers):
        p = f"h{i}_"
        graph_inputs.append(helper.make_tensor_value_info(f"past_{i}", TensorProto.FLOAT,
                                                          [2, "batch", heads, "past_seq", head_size]))
        graph_outputs.append(helper.make_tensor_value_info(f"present_{i}", TensorProto.FLOAT,
                                                           [2, "batch", heads, "total_seq", head_size]))
        nodes.append(helper.make_node(
            "Attention", [x, weight(p + "attn_qkv", (hidden, 3 * hidden), hidden ** -0.5),
                          weight(p + "attn_qkv_bias", (3 * hidden,), 0.1), "attention_mask_i32", f"past_{i}"],
            [p + "attn", f"present_{i}"], domain=MS, name=f"Attention_{i}", num_heads=heads, unidirectional=1,
            mask_filter_value=float(np.finfo(np.float32).min)))
        nodes.append(helper.make_node("MatMul", [p + "attn", weight(p + "attn_proj", (hidden, hidden), hidden ** -0.5)],
                                      [p + "attn_out"]))
        g, b = norm(p + "ln_2")
        nodes.append(helper.make_node(
            "SkipLayerNormalization", [p + "attn_out", residual, g, b, weight(p + "attn_proj_bias", (hidden,), 0.1)],
            [p + "h", "", "", p + "residual_mid"], domain=MS, name=f"SkipLayerNorm_{i}_attn", epsilon=1e-5))
        nodes.append(helper.make_node("MatMul", [p + "h", weight(p + "mlp_fc", (hidden, 4 * hidden), hidden ** -0.5)],
                                      [p + "fc"]))
        nodes.append(helper.make_node("FastGelu", [p + "fc", weight(p + "mlp_fc_bias", (4 * hidden,), 0.1)],
                                      [p + "gelu"], domain=MS, name=f"FastGelu_{i}"))
        nodes.append(helper.make_node(
            "MatMul", [p + "gelu", weight(p + "mlp_proj", (4 * hidden, hidden), (4 * hidden) ** -0.5)], [p + "mlp"]))
        g, b = norm(f"h{i + 1}_ln_1" if i + 1 < layers else "ln_f")
        nodes.append(helper.make_node(
            "SkipLayerNormalization", [p + "mlp", p + "residual_mid", g, b, weight(p + "mlp_proj_bias", (hidden,), 0.1)],
            [f"x{i + 1}", "", "", f"residual{i + 1}"], domain=MS, name=f"SkipLayerNorm_{i}_mlp", epsilon=1e-5))
        x, residual = f"x{i + 1}", f"residual{i + 1}"
    inits.append(numpy_helper.from_array(np.ascontiguousarray(numpy_helper.to_array(inits[0]).T), "wte_t"))
    nodes.append(helper.make_node("MatMul", [x, "wte_t"], ["logits"]))
    graph = helper.make_graph(nodes, "tiny_gpt2_ort_optimized", graph_inputs, graph_outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11), helper.make_opsetid(MS, 1)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    config = {"model": {
        "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0, "context_length": positions, "vocab_size": vocab,
        "type": "gpt2",
        "decoder": {
            "filename": "model.onnx", "head_size": head_size, "hidden_size": hidden, "num_attention_heads": heads,
            "num_hidden_layers": layers, "num_key_value_heads": heads,
            "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "position_ids": "position_ids",
                       "past_names": "past_%d"},
            "outputs": {"logits": "logits", "present_names": "present_%d"}}}}
    return model, config


def make(gen_dir, shared_dir):
    folder = os.path.join(gen_dir, "gpt2_attention")
    os.makedirs(folder, exist_ok=True)
    model, config = build()
    onnx.save_model(model, os.path.join(folder, "model.onnx"))
    with open(os.path.join(folder, "genai_config.json"), "w") as f:
        json.dump(config, f, indent=4)
    # The stories260K tokenizer (vocab 512) so that `evalq ppl` can run on the folder.
    for name in ["tokenizer.json", "tokenizer_config.json"]:
        with open(os.path.join(shared_dir, "models/stories260K", name), "rb") as src:
            with open(os.path.join(folder, name), "wb") as dst:
                dst.write(src.read())
