"""Shared machinery for per-op differential tests: build a tiny ONNX model, run it in ONNX
Runtime (the oracle) and save model + inputs + expected outputs for the C++ runner.

A `cases_<family>.py` module in this folder defines `cases()`, yielding `Case` objects. The
driver (gen_op_cases.py) writes each to OUT/<case name>/ as model.onnx, in_<i>.npy, out_<i>.npy
and case.json; tests/ops/op_cases_test.cpp loads every folder, runs evalq and compares.
"""
from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

NP_TO_ONNX = {
    np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.float16): TensorProto.FLOAT16, np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.int32): TensorProto.INT32, np.dtype(np.int16): TensorProto.INT16,
    np.dtype(np.int8): TensorProto.INT8, np.dtype(np.uint8): TensorProto.UINT8,
    np.dtype(np.uint16): TensorProto.UINT16, np.dtype(np.uint32): TensorProto.UINT32,
    np.dtype(np.uint64): TensorProto.UINT64, np.dtype(np.bool_): TensorProto.BOOL,
}


@dataclasses.dataclass
class Case:
    name: str                      # unique, [A-Za-z0-9_.-]
    model: onnx.ModelProto
    inputs: dict[str, np.ndarray]  # graph input name -> value (initializers live in the model)
    atol: float = 1e-5
    rtol: float = 1e-5
    # ORT session options: graph optimization level name ("disabled", "basic", "extended", "all").
    ort_optimization: str = "disabled"
    # For ops ORT's CPU kernel has only in float32: ORT runs this model instead, on the inputs
    # widened to float32, and its outputs are narrowed to float16 (fp16 io, fp32 compute).
    fp32_reference: onnx.ModelProto | None = None


def tensor_info(name: str, arr: np.ndarray):
    return helper.make_tensor_value_info(name, NP_TO_ONNX[arr.dtype], list(arr.shape))


def single_node(op_type: str, inputs: dict[str, np.ndarray], outputs: list[str], *,
                initializers: dict[str, np.ndarray] | None = None, domain: str = "",
                opset: int = 17, input_order: list[str] | None = None,
                output_types: dict[str, int] | None = None, ms_opset: int = 1,
                **attrs: Any) -> onnx.ModelProto:
    """A model of one node. `input_order` lists the node's inputs (names from `inputs` or
    `initializers`, "" for an omitted optional input); by default inputs then initializers."""
    initializers = initializers or {}
    order = input_order if input_order is not None else list(inputs) + list(initializers)
    node = helper.make_node(op_type, order, outputs, domain=domain or None, name=f"{op_type}_node", **attrs)
    graph_outputs = []
    for o in outputs:
        if not o:
            continue
        if output_types and o in output_types:
            graph_outputs.append(helper.make_tensor_value_info(o, output_types[o], None))
        else:
            vi = onnx.ValueInfoProto()
            vi.name = o
            graph_outputs.append(vi)
    graph = helper.make_graph(
        [node], f"{op_type}_graph", [tensor_info(n, a) for n, a in inputs.items()], graph_outputs,
        initializer=[numpy_helper.from_array(a, n) for n, a in initializers.items()])
    opsets = [helper.make_opsetid("", opset)]
    if domain:
        opsets.append(helper.make_opsetid(domain, ms_opset))
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = min(model.ir_version, 10)
    return model


def run_ort(model: onnx.ModelProto, inputs: dict[str, np.ndarray], optimization: str = "disabled"):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = {
        "disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    }[optimization]
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return names, sess.run(names, inputs)


def write_case(case: Case, out_dir: str) -> None:
    d = os.path.join(out_dir, case.name)
    os.makedirs(d, exist_ok=True)
    if case.fp32_reference is None:
        names, results = run_ort(case.model, case.inputs, case.ort_optimization)
    else:
        widened = {n: a.astype(np.float32) if a.dtype == np.float16 else a for n, a in case.inputs.items()}
        names, results = run_ort(case.fp32_reference, widened, case.ort_optimization)
        results = [r.astype(np.float16) if r.dtype == np.float32 else r for r in results]
    onnx.save(case.model, os.path.join(d, "model.onnx"))
    spec = {"name": case.name, "atol": case.atol, "rtol": case.rtol, "inputs": [], "outputs": []}
    # np.asarray keeps 0-d results 0-d (np.ascontiguousarray would make them shape [1]).
    for i, (n, a) in enumerate(case.inputs.items()):
        np.save(os.path.join(d, f"in_{i}.npy"), np.asarray(a, order="C"))
        spec["inputs"].append({"name": n, "file": f"in_{i}.npy"})
    for i, (n, a) in enumerate(zip(names, results)):
        np.save(os.path.join(d, f"out_{i}.npy"), np.asarray(a, order="C"))
        spec["outputs"].append({"name": n, "file": f"out_{i}.npy"})
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(spec, f, indent=1)
