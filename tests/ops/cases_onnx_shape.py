"""ai.onnx data-movement ops: Shape, Reshape, Squeeze/Unsqueeze (attribute and input axes),
Flatten, Identity, Concat, Split, Transpose, Gather, GatherElements, Slice, Expand, Tile, Range,
ConstantOfShape, Trilu, ScatterND, CumSum."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from opcase import Case, single_node

rng = np.random.default_rng(99)


def rnd(shape, dtype=np.float32):
    return rng.uniform(-2, 2, size=shape).astype(dtype)


def i64(*v):
    return np.array(v, np.int64)


def cases():
    x = rnd((2, 3, 4, 5))
    for opset, attrs in ((13, {}), (15, {"start": 1}), (15, {"start": -3, "end": -1}), (15, {"end": 10})):
        name = "Shape_" + "_".join(f"{k}{v}" for k, v in attrs.items()) if attrs else "Shape"
        yield Case(name.replace("-", "m"), single_node("Shape", {"x": x}, ["y"], opset=opset, **attrs), {"x": x})
    yield Case("Size", single_node("Size", {"x": x}, ["y"]), {"x": x})
    for i, shape in enumerate([i64(6, 20), i64(0, -1), i64(2, 0, 4, 5), i64(-1), i64(2, 3, 20, 1)]):
        yield Case(f"Reshape_{i}", single_node("Reshape", {"x": x}, ["y"], initializers={"s": shape}, opset=14), {"x": x})
    e = np.zeros((0, 4), np.float32)
    yield Case("Reshape_allowzero", single_node("Reshape", {"x": e}, ["y"], initializers={"s": i64(4, 0)}, opset=14,
                                                allowzero=1), {"x": e})
    for axis in (0, 1, 3, -1):
        yield Case(f"Flatten_{axis}".replace("-", "m"), single_node("Flatten", {"x": x}, ["y"], axis=axis), {"x": x})
    y = rnd((1, 3, 1, 5))
    yield Case("Squeeze_op11_attr", single_node("Squeeze", {"y": y}, ["z"], opset=11, axes=[0, -2]), {"y": y})
    yield Case("Squeeze_op13_input", single_node("Squeeze", {"y": y}, ["z"], opset=13, initializers={"a": i64(2)}), {"y": y})
    yield Case("Squeeze_all", single_node("Squeeze", {"y": y}, ["z"], opset=13), {"y": y})
    yield Case("Unsqueeze_op11_attr", single_node("Unsqueeze", {"y": y}, ["z"], opset=11, axes=[0, 5]), {"y": y})
    yield Case("Unsqueeze_op13_input", single_node("Unsqueeze", {"y": y}, ["z"], opset=13, initializers={"a": i64(-1, 1)}), {"y": y})
    yield Case("Identity", single_node("Identity", {"x": x}, ["y"]), {"x": x})

    a, b, c = rnd((2, 3, 4)), rnd((2, 1, 4)), rnd((2, 5, 4))
    yield Case("Concat_axis1", single_node("Concat", {"a": a, "b": b, "c": c}, ["y"], axis=1), {"a": a, "b": b, "c": c})
    ia, ib = rng.integers(0, 9, (2, 3)).astype(np.int64), rng.integers(0, 9, (2, 0)).astype(np.int64)
    yield Case("Concat_i64_empty", single_node("Concat", {"a": ia, "b": ib}, ["y"], axis=-1), {"a": ia, "b": ib})
    yield Case("Concat_axis0", single_node("Concat", {"a": a, "b": a}, ["y"], axis=0), {"a": a, "b": a})

    s = rnd((4, 6, 3))
    yield Case("Split_equal", single_node("Split", {"s": s}, ["p", "q", "r"], axis=1, opset=13), {"s": s})
    yield Case("Split_sizes_input", single_node("Split", {"s": s}, ["p", "q"], axis=1, opset=13,
                                                initializers={"sp": i64(2, 4)}), {"s": s})
    yield Case("Split_attr_op11", single_node("Split", {"s": s}, ["p", "q"], axis=0, opset=11, split=[1, 3]), {"s": s})
    s7 = rnd((7, 2))
    yield Case("Split_num_outputs", single_node("Split", {"s": s7}, ["p", "q", "r"], axis=0, opset=18, num_outputs=3), {"s": s7})

    for perm in ([0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2]):
        yield Case("Transpose_" + "".join(map(str, perm)), single_node("Transpose", {"x": x}, ["y"], perm=perm), {"x": x})
    yield Case("Transpose_default", single_node("Transpose", {"x": x}, ["y"]), {"x": x})
    h = rnd((3, 8)).astype(np.float16)
    yield Case("Transpose_f16", single_node("Transpose", {"h": h}, ["y"]), {"h": h})

    table = rnd((10, 4))
    for i, idx in enumerate([i64(0, 3, 9, -1), np.array([[1, 2], [0, -10]], np.int64), np.array(7, np.int64),
                             np.array([2, 5], np.int32)]):
        yield Case(f"Gather_axis0_{i}", single_node("Gather", {"t": table, "i": idx}, ["y"]), {"t": table, "i": idx})
    yield Case("Gather_axis2", single_node("Gather", {"x": x, "i": i64(3, 0)}, ["y"], axis=2), {"x": x, "i": i64(3, 0)})
    ge = np.array([[0, 1, 0], [1, 0, 1]], np.int64)
    yield Case("GatherElements", single_node("GatherElements", {"t": table[:2, :3].copy(), "i": ge}, ["y"], axis=0),
               {"t": table[:2, :3].copy(), "i": ge})

    slices = [  # starts, ends, axes, steps
        (i64(0, 1), i64(2, 3), i64(0, 1), None),
        (i64(1), i64(1000), i64(3), None),
        (i64(-1), i64(-1000), i64(2), i64(-1)),
        (i64(0, 4), i64(2, 0), i64(1, -1), i64(2, -2)),
        (i64(5), i64(3), i64(1), None),
        (i64(0, 0, 0, 0), i64(2, 3, 4, 5), None, None),
        (i64(-3), i64(9223372036854775807), i64(-1), i64(1)),
    ]
    for k, (st, en, ax, sp) in enumerate(slices):
        inits = {"st": st, "en": en}
        order = ["x", "st", "en"]
        if ax is not None:
            inits["ax"] = ax
            order.append("ax")
        if sp is not None:
            if ax is None:
                order.append("")
            inits["sp"] = sp
            order.append("sp")
        yield Case(f"Slice_{k}", single_node("Slice", {"x": x}, ["y"], initializers=inits, input_order=order), {"x": x})
    yield Case("Slice_runtime_starts", single_node("Slice", {"x": x, "st": i64(1), "en": i64(3)}, ["y"]),
               {"x": x, "st": i64(1), "en": i64(3)})

    v = rnd((3, 1))
    for k, shp in enumerate([i64(2, 3, 4), i64(3, 1), i64(1, 1, 5), i64(1)]):
        yield Case(f"Expand_{k}", single_node("Expand", {"v": v}, ["y"], initializers={"s": shp}), {"v": v})
    t = rnd((2, 3))
    yield Case("Tile", single_node("Tile", {"t": t}, ["y"], initializers={"r": i64(2, 3)}), {"t": t})
    yield Case("Tile_ones", single_node("Tile", {"t": t}, ["y"], initializers={"r": i64(1, 2)}), {"t": t})

    for k, (st, li, de, dt) in enumerate([(0, 10, 1, np.int64), (10, 0, -3, np.int64), (0.5, 3.0, 0.7, np.float32),
                                          (1, 9, 2, np.int32)]):
        ins = {"s": np.array(st, dt), "l": np.array(li, dt), "d": np.array(de, dt)}
        yield Case(f"Range_{k}", single_node("Range", ins, ["y"]), ins)
    shp = i64(2, 3)
    yield Case("ConstantOfShape_default", single_node("ConstantOfShape", {"s": shp}, ["y"]), {"s": shp})
    yield Case("ConstantOfShape_i64", single_node("ConstantOfShape", {"s": shp}, ["y"],
                                                  value=numpy_helper.from_array(np.array([7], np.int64))), {"s": shp})
    yield Case("ConstantOfShape_f32", single_node("ConstantOfShape", {"s": shp}, ["y"],
                                                  value=numpy_helper.from_array(np.array([-1.5], np.float32))), {"s": shp})

    m = rnd((2, 4, 5))
    for upper in (0, 1):
        yield Case(f"Trilu_u{upper}", single_node("Trilu", {"m": m}, ["y"], upper=upper), {"m": m})
        for k in (-2, 1, 7):
            yield Case(f"Trilu_u{upper}_k{k}".replace("-", "m"),
                       single_node("Trilu", {"m": m}, ["y"], upper=upper, initializers={"k": np.array(k, np.int64)}), {"m": m})

    d = rnd((4, 3, 2))
    idx = np.array([[1], [3]], np.int64)
    upd = rnd((2, 3, 2))
    for red in ("none", "add", "mul", "max", "min"):
        m_ = single_node("ScatterND", {"d": d, "i": idx, "u": upd}, ["y"], opset=18, reduction=red)
        yield Case(f"ScatterND_{red}", m_, {"d": d, "i": idx, "u": upd})
    idx2 = np.array([[0, 2], [3, 1]], np.int64)
    upd2 = rnd((2, 2))
    yield Case("ScatterND_depth2", single_node("ScatterND", {"d": d, "i": idx2, "u": upd2}, ["y"]), {"d": d, "i": idx2, "u": upd2})

    cx = rnd((3, 4))
    for ex in (0, 1):
        for rev in (0, 1):
            for axis in (0, 1):
                yield Case(f"CumSum_e{ex}_r{rev}_a{axis}",
                           single_node("CumSum", {"x": cx}, ["y"], exclusive=ex, reverse=rev,
                                       initializers={"a": np.array(axis, np.int64)}), {"x": cx})
    ci = rng.integers(0, 5, (6,)).astype(np.int64)
    yield Case("CumSum_i64", single_node("CumSum", {"x": ci}, ["y"], initializers={"a": np.array(0, np.int32)}), {"x": ci})
