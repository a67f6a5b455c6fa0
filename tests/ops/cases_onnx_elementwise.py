"""ai.onnx elementwise ops: unary math, broadcasting binary ops, comparisons, logic, Where,
variadic Min/Max/Sum/Mean, Cast/CastLike, over fp32, fp16 and integer types."""
import numpy as np
from onnx import TensorProto, helper

from opcase import Case, single_node

rng = np.random.default_rng(1234)


def rnd(shape, dtype=np.float32, lo=-3.0, hi=3.0):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def ints(shape, dtype=np.int64, lo=-20, hi=20):
    return rng.integers(lo, hi, size=shape).astype(dtype)


UNARY = {
    # op: (low, high, opset, extra attrs)
    "Sqrt": (0.01, 9.0), "Reciprocal": (0.5, 4.0), "Exp": (-5.0, 5.0), "Log": (0.01, 9.0),
    "Sin": (-6.0, 6.0), "Cos": (-6.0, 6.0), "Tanh": (-4.0, 4.0), "Erf": (-3.0, 3.0),
    "Sigmoid": (-8.0, 8.0), "Neg": (-3.0, 3.0), "Abs": (-3.0, 3.0), "Relu": (-3.0, 3.0),
    "Floor": (-3.0, 3.0), "Ceil": (-3.0, 3.0), "Softplus": (-5.0, 5.0), "Sign": (-3.0, 3.0),
}

BINARY_SHAPES = [((2, 3, 4), (2, 3, 4)), ((2, 3, 4), (4,)), ((2, 1, 4), (3, 1)), ((1,), (2, 5)),
                 ((2, 3, 4), ()), ((3, 1, 5), (1, 4, 1)), ((0, 3), (3,))]


def cases():
    for op, (lo, hi) in UNARY.items():
        for opset in (13, 21):
            x = rnd((3, 4, 5), lo=lo, hi=hi)
            yield Case(f"{op}_f32_op{opset}", single_node(op, {"x": x}, ["y"], opset=opset), {"x": x})
        x16 = rnd((2, 7), np.float16, lo, hi)
        yield Case(f"{op}_f16", single_node(op, {"x": x16}, ["y"]), {"x": x16}, atol=1e-3, rtol=1e-3)
    for op in ("Neg", "Abs", "Relu", "Sign"):
        x = ints((4, 5), np.int64 if op != "Relu" else np.int32)
        yield Case(f"{op}_int", single_node(op, {"x": x}, ["y"]), {"x": x})
    for approx in ("none", "tanh"):
        x = rnd((3, 8))
        yield Case(f"Gelu_{approx}", single_node("Gelu", {"x": x}, ["y"], opset=20, approximate=approx), {"x": x})
    x = rnd((3, 8))
    yield Case("LeakyRelu", single_node("LeakyRelu", {"x": x}, ["y"], alpha=0.2), {"x": x})
    x = rnd((3, 8))
    yield Case("Round", single_node("Round", {"x": (np.round(x * 2) / 2).astype(np.float32)}, ["y"]),
               {"x": (np.round(x * 2) / 2).astype(np.float32)})
    x = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], np.float32)
    yield Case("IsNaN", single_node("IsNaN", {"x": x}, ["y"]), {"x": x})
    for pos, neg in ((1, 1), (1, 0), (0, 1)):
        yield Case(f"IsInf_{pos}{neg}", single_node("IsInf", {"x": x}, ["y"], detect_positive=pos, detect_negative=neg), {"x": x})
    b = rng.integers(0, 2, size=(3, 4)).astype(bool)
    yield Case("Not", single_node("Not", {"x": b}, ["y"]), {"x": b})

    for op in ("Add", "Sub", "Mul", "Div", "Pow"):
        for i, (sa, sb) in enumerate(BINARY_SHAPES):
            lo = 0.1 if op == "Pow" else -3.0
            a, bb = rnd(sa, lo=lo), rnd(sb, lo=0.5 if op in ("Div", "Pow") else -3.0)
            yield Case(f"{op}_f32_b{i}", single_node(op, {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb}, rtol=1e-5)
        a, bb = rnd((3, 5), np.float16, 0.5), rnd((5,), np.float16, 0.5, 2.0)
        yield Case(f"{op}_f16", single_node(op, {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb}, atol=1e-3, rtol=1e-3)
        if op != "Pow":
            a, bb = ints((3, 5)), ints((5,), lo=1, hi=9)
            yield Case(f"{op}_i64", single_node(op, {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb})
            a, bb = ints((3, 5), np.int32), ints((3, 1), np.int32, 1, 9)
            yield Case(f"{op}_i32", single_node(op, {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb})
    # Pow with an integer exponent, as exported RMSNorms sometimes have.
    a = rnd((2, 6))
    yield Case("Pow_f32_int_exponent", single_node("Pow", {"a": a}, ["c"], initializers={"e": np.array(2, np.int64)}), {"a": a})
    a, bb = rnd((4, 5)), rnd((5,), lo=0.5)
    yield Case("Mod_fmod", single_node("Mod", {"a": a, "b": bb}, ["c"], fmod=1), {"a": a, "b": bb})
    a, bb = ints((4, 5)), ints((5,), lo=1, hi=7) * np.where(rng.random(5) < 0.5, -1, 1)
    yield Case("Mod_int", single_node("Mod", {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb})

    for op in ("Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"):
        a = np.round(rnd((3, 4))).astype(np.float32)
        bb = np.round(rnd((4,))).astype(np.float32)
        yield Case(f"{op}_f32", single_node(op, {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb})
        a, bb = ints((3, 4), lo=-2, hi=2), ints((3, 1), lo=-2, hi=2)
        yield Case(f"{op}_i64", single_node(op, {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb})
    for op in ("And", "Or", "Xor"):
        a, bb = rng.integers(0, 2, (3, 4)).astype(bool), rng.integers(0, 2, (4,)).astype(bool)
        yield Case(f"{op}", single_node(op, {"a": a, "b": bb}, ["c"]), {"a": a, "b": bb})

    for dt, name in ((np.float32, "f32"), (np.int64, "i64"), (np.float16, "f16")):
        c = rng.integers(0, 2, (3, 1, 4)).astype(bool)
        x = rnd((2, 4), dt) if dt != np.int64 else ints((2, 4))
        y = rnd((3, 2, 1), dt) if dt != np.int64 else ints((3, 2, 1))
        yield Case(f"Where_{name}", single_node("Where", {"c": c, "x": x, "y": y}, ["z"]), {"c": c, "x": x, "y": y})

    for op in ("Min", "Max", "Sum", "Mean"):
        a, bb, c = rnd((3, 4)), rnd((4,)), rnd((3, 1))
        yield Case(f"{op}_3in", single_node(op, {"a": a, "b": bb, "c": c}, ["y"]), {"a": a, "b": bb, "c": c})
        yield Case(f"{op}_1in", single_node(op, {"a": a}, ["y"]), {"a": a})
        if op in ("Min", "Max"):
            a, bb = ints((3, 4)), ints((3, 4))
            yield Case(f"{op}_i64", single_node(op, {"a": a, "b": bb}, ["y"]), {"a": a, "b": bb})

    casts = [(np.float32, TensorProto.FLOAT16), (np.float32, TensorProto.INT64), (np.float32, TensorProto.INT32),
             (np.float32, TensorProto.BOOL), (np.float32, TensorProto.DOUBLE),
             (np.int64, TensorProto.FLOAT), (np.int64, TensorProto.INT32), (np.bool_, TensorProto.FLOAT),
             (np.bool_, TensorProto.INT64), (np.float16, TensorProto.FLOAT), (np.int32, TensorProto.INT64),
             (np.float32, TensorProto.UINT8), (np.float32, TensorProto.INT8)]
    for src, to in casts:
        if src == np.bool_:
            x = rng.integers(0, 2, (3, 5)).astype(bool)
        elif np.issubdtype(src, np.integer):
            x = ints((3, 5), src, -1000, 1000)
        elif to in (TensorProto.UINT8,):
            x = rnd((3, 5), src, 0.0, 200.0)
        elif to in (TensorProto.INT8,):
            x = rnd((3, 5), src, -100.0, 100.0)
        else:
            x = rnd((3, 5), src, -300.0, 300.0)
        if to == TensorProto.BOOL:
            x[0, :2] = 0
        name = f"Cast_{np.dtype(src).name}_to_{TensorProto.DataType.Name(to).lower()}"
        m = single_node("Cast", {"x": x}, ["y"], to=to, opset=19)
        yield Case(name, m, {"x": x})
    x, like = rnd((2, 3)), np.zeros((1,), np.float16)
    yield Case("CastLike_f16", single_node("CastLike", {"x": x, "like": like}, ["y"], opset=15), {"x": x, "like": like})
