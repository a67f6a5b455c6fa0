"""ORT dynamic quantization ops against ONNX Runtime: DynamicQuantizeLinear, MatMulInteger,
MatMulIntegerToFloat, DynamicQuantizeMatMul (com.microsoft) and QLinearMatMul. Integer outputs
must be bit-equal; float outputs are one multiply (and add) of an exact int32 sum, so they are
held to 1e-6 relative."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from opcase import Case

RNG = np.random.default_rng(77)
NP = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8, np.float32: TensorProto.FLOAT,
      np.int32: TensorProto.INT32}


def build(op, feeds, inits, order, outputs, domain="", opset=21, **attrs):
    node = helper.make_node(op, order, outputs, domain=domain or None, name=f"{op}_node", **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(k, NP[v.dtype.type], list(v.shape))
                                            for k, v in feeds.items()],
                              [onnx.ValueInfoProto(name=o) for o in outputs],
                              initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()])
    imports = [helper.make_opsetid("", opset)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    m = helper.make_model(graph, opset_imports=imports)
    m.ir_version = 10 if opset >= 21 else 8
    return m


def ints(dtype, shape):
    info = np.iinfo(dtype)
    return RNG.integers(info.min, info.max + 1, size=shape).astype(dtype)


def dql_cases():
    xs = {
        "mixed": RNG.standard_normal((4, 33)).astype(np.float32) * 3,
        "positive": RNG.uniform(0.5, 4, size=(64,)).astype(np.float32),
        "negative": -RNG.uniform(0.1, 2, size=(5, 7)).astype(np.float32),
        "zeros": np.zeros((3, 3), np.float32),
        "big": RNG.standard_normal((2, 3, 1000)).astype(np.float32),
    }
    for name, x in xs.items():
        yield Case(f"quant_dql_{name}", build("DynamicQuantizeLinear", {"x": x}, {}, ["x"], ["y", "y_scale", "y_zp"],
                                               opset=11), {"x": x}, atol=0.0, rtol=0.0)


def matmul_integer_cases():
    shapes = [((5, 16), (16, 7)), ((2, 3, 24), (24, 9)), ((2, 4, 8), (2, 8, 6)), ((16,), (16, 5)), ((1, 40), (40, 1))]
    for a_t, b_t in ((np.uint8, np.uint8), (np.uint8, np.int8), (np.int8, np.int8)):
        for i, (sa, sb) in enumerate(shapes):
            for zp in ("none", "scalar", "per_col"):
                if zp == "per_col" and len(sb) > 2:
                    continue  # ORT wants a batched B's per-column zero points shaped [batch, 1, N]
                a, b = ints(a_t, sa), ints(b_t, sb)
                inits, order = {"B": b}, ["A", "B"]
                if zp != "none":
                    inits["a_zp"] = ints(a_t, ())
                    n = sb[-1]
                    inits["b_zp"] = ints(b_t, (n,) if zp == "per_col" else ())
                    order += ["a_zp", "b_zp"]
                name = f"quant_mmi_{np.dtype(a_t).name}_{np.dtype(b_t).name}_s{i}_{zp}"
                yield Case(name, build("MatMulInteger", {"A": a}, inits, order, ["Y"], opset=10), {"A": a},
                           atol=0.0, rtol=0.0)


def matmul_integer_to_float_cases():
    for a_t, b_t in ((np.uint8, np.uint8), (np.uint8, np.int8), (np.int8, np.int8)):
        for per_col in (False, True):
            for bias in (False, True):
                for zp in (False, True):
                    sa, sb = (2, 5, 32), (32, 12)
                    a, b = ints(a_t, sa), ints(b_t, sb)
                    inits = {"B": b, "a_scale": np.float32(0.013),
                             "b_scale": RNG.uniform(0.001, 0.02, size=(12,) if per_col else ()).astype(np.float32)}
                    order = ["A", "B", "a_scale", "b_scale"]
                    if zp:
                        inits["a_zp"] = ints(a_t, ())
                        inits["b_zp"] = ints(b_t, (12,) if per_col else ())
                        order += ["a_zp", "b_zp"]
                    if bias:
                        inits["bias"] = RNG.standard_normal(12).astype(np.float32)
                        order += [""] * (6 - len(order)) + ["bias"]
                    name = (f"quant_mmitf_{np.dtype(a_t).name}_{np.dtype(b_t).name}_{'col' if per_col else 'tensor'}"
                            f"{'_bias' if bias else ''}{'_zp' if zp else ''}")
                    yield Case(name, build("MatMulIntegerToFloat", {"A": a}, inits, order, ["Y"], domain="com.microsoft"),
                               {"A": a}, atol=1e-6, rtol=1e-6)


def dynamic_quantize_matmul_cases():
    for b_t in (np.int8, np.uint8):
        for per_col in (False, True):
            for bias in (False, True):
                for zp in (False, True):
                    a = RNG.standard_normal((3, 4, 48)).astype(np.float32)
                    inits = {"B": ints(b_t, (48, 10)),
                             "b_scale": RNG.uniform(0.001, 0.02, size=(10,) if per_col else ()).astype(np.float32)}
                    order = ["A", "B", "b_scale"]
                    if zp:
                        inits["b_zp"] = ints(b_t, (10,) if per_col else ()) // 4
                        order.append("b_zp")
                    if bias:
                        inits["bias"] = RNG.standard_normal(10).astype(np.float32)
                        order += [""] * (4 - len(order)) + ["bias"]
                    name = (f"quant_dqmm_{np.dtype(b_t).name}_{'col' if per_col else 'tensor'}"
                            f"{'_bias' if bias else ''}{'_zp' if zp else ''}")
                    yield Case(name, build("DynamicQuantizeMatMul", {"A": a}, inits, order, ["Y"], domain="com.microsoft"),
                               {"A": a}, atol=1e-6, rtol=1e-6)


def qlinear_matmul_cases():
    for opset in (10, 21):
        for a_t, b_t, y_t in ((np.uint8, np.uint8, np.uint8), (np.int8, np.int8, np.int8), (np.uint8, np.int8, np.uint8)):
            for per_col in (False, True):
                for sa, sb in (((6, 20), (20, 9)), ((2, 3, 20), (20, 9))):
                    a, b = ints(a_t, sa), ints(b_t, sb)
                    inits = {"a_scale": np.float32(0.02), "a_zp": ints(a_t, ()), "B": b,
                             "b_scale": RNG.uniform(0.005, 0.03, size=(9,) if per_col else ()).astype(np.float32),
                             "b_zp": ints(b_t, (9,) if per_col else ()) // 8,
                             "y_scale": np.float32(0.9), "y_zp": ints(y_t, ()) // 2}
                    order = ["A", "a_scale", "a_zp", "B", "b_scale", "b_zp", "y_scale", "y_zp"]
                    name = (f"quant_qlmm_o{opset}_{np.dtype(a_t).name}_{np.dtype(b_t).name}_"
                            f"{'col' if per_col else 'tensor'}_r{len(sa)}")
                    yield Case(name, build("QLinearMatMul", {"A": a}, inits, order, ["Y"], opset=opset), {"A": a},
                               atol=0.0, rtol=0.0)


def cases():
    yield from dql_cases()
    yield from matmul_integer_cases()
    yield from matmul_integer_to_float_cases()
    yield from dynamic_quantize_matmul_cases()
    yield from qlinear_matmul_cases()
