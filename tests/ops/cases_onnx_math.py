"""ai.onnx reductions (attribute and input axes), Softmax/LogSoftmax (pre- and post-opset-13
semantics), LayerNormalization, MatMul (1-D, batched, broadcast), Gemm and If."""
import numpy as np
from onnx import TensorProto, helper

from opcase import Case, single_node

rng = np.random.default_rng(7)


def rnd(shape, dtype=np.float32, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def i64(*v):
    return np.array(v, np.int64)


REDUCE = ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceL1",
          "ReduceL2", "ReduceLogSumExp"]


def cases():
    x = rnd((3, 4, 5), lo=0.5, hi=1.5)
    for op in REDUCE:
        input_axes_from = 13 if op == "ReduceSum" else 18
        for k, (axes, keep) in enumerate([([1], 1), ([0, 2], 0), ([-1], 1), (None, 0), ([2, 1], 1)]):
            if axes is None:
                m = single_node(op, {"x": x}, ["y"], opset=input_axes_from, keepdims=keep)
            else:
                m = single_node(op, {"x": x}, ["y"], opset=input_axes_from, keepdims=keep,
                                initializers={"a": np.array(axes, np.int64)})
            yield Case(f"{op}_input_axes_{k}", m, {"x": x}, rtol=1e-5)
        yield Case(f"{op}_attr_axes", single_node(op, {"x": x}, ["y"], opset=input_axes_from - 1 if op != "ReduceSum" else 11,
                                                  axes=[0, 1], keepdims=1), {"x": x}, rtol=1e-5)
    yield Case("ReduceSum_noop_empty", single_node("ReduceSum", {"x": x}, ["y"], opset=13, noop_with_empty_axes=1), {"x": x})
    xi = rng.integers(-5, 5, (3, 4)).astype(np.int64)
    yield Case("ReduceSum_i64", single_node("ReduceSum", {"x": xi}, ["y"], opset=13, initializers={"a": i64(1)}), {"x": xi})
    yield Case("ReduceMax_i64", single_node("ReduceMax", {"x": xi}, ["y"], opset=18, keepdims=0), {"x": xi})
    xh = rnd((4, 16), np.float16)
    yield Case("ReduceMean_f16", single_node("ReduceMean", {"x": xh}, ["y"], opset=18, initializers={"a": i64(-1)}),
               {"x": xh}, atol=1e-3, rtol=1e-3)

    s = rnd((2, 3, 7), lo=-6, hi=6)
    for op in ("Softmax", "LogSoftmax"):
        for axis in (-1, 1, 0):
            yield Case(f"{op}_op13_axis{axis}".replace("-", "m"), single_node(op, {"s": s}, ["y"], opset=13, axis=axis), {"s": s})
        yield Case(f"{op}_op11_axis1", single_node(op, {"s": s}, ["y"], opset=11, axis=1), {"s": s})
        yield Case(f"{op}_op11_default", single_node(op, {"s": s}, ["y"], opset=11), {"s": s})
        sh = s.astype(np.float16)
        yield Case(f"{op}_f16", single_node(op, {"s": sh}, ["y"], opset=13), {"s": sh}, atol=2e-3, rtol=2e-3)
    big = rnd((1, 4, 3000), lo=-30, hi=30)
    yield Case("Softmax_wide", single_node("Softmax", {"s": big}, ["y"], opset=13), {"s": big})

    ln = rnd((2, 5, 16))
    g, b = rnd((16,)), rnd((16,))
    yield Case("LayerNorm_all_outputs", single_node("LayerNormalization", {"x": ln}, ["y", "mean", "inv"], opset=17,
                                                    initializers={"g": g, "b": b}, epsilon=1e-5), {"x": ln}, rtol=1e-4)
    yield Case("LayerNorm_no_bias", single_node("LayerNormalization", {"x": ln}, ["y"], opset=17,
                                                initializers={"g": g}), {"x": ln}, rtol=1e-4)
    g2 = rnd((5, 16))
    yield Case("LayerNorm_axis1", single_node("LayerNormalization", {"x": ln}, ["y"], opset=17, axis=1,
                                              initializers={"g": g2}), {"x": ln}, rtol=1e-4)

    shapes = [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (1, 6, 4, 5)),
              ((4,), (4, 5)), ((2, 3, 4), (4,)), ((4,), (4,)), ((3, 0), (0, 2)), ((1, 64, 48), (48, 96))]
    for k, (sa, sb) in enumerate(shapes):
        a, bm = rnd(sa), rnd(sb)
        # sgemm reorders the K-sum; K <= 48 keeps the error below a few ulp of the O(1) results.
        yield Case(f"MatMul_{k}", single_node("MatMul", {"a": a, "b": bm}, ["c"]), {"a": a, "b": bm}, atol=1e-5, rtol=1e-5)
    # Products large enough for ops/gemm.h to split (>= 2^19 multiply-adds): row panels, column
    # panels with a partial last tile (few rows), per-head batches as tasks, and a few large batches
    # each split in turn.
    split_shapes = {"rows": ((512, 32), (32, 64)), "columns": ((8, 32), (32, 2056)),
                    "batches": ((8, 16, 32), (8, 32, 24)), "large_batches": ((2, 256, 32), (2, 32, 64))}
    for k, (sa, sb) in split_shapes.items():
        a, bm = rnd(sa), rnd(sb)
        yield Case(f"MatMul_split_{k}", single_node("MatMul", {"a": a, "b": bm}, ["c"]), {"a": a, "b": bm},
                   atol=1e-5, rtol=1e-5)
    a, bm = rnd((2, 3, 8), np.float16), rnd((8, 4), np.float16)
    yield Case("MatMul_f16", single_node("MatMul", {"a": a, "b": bm}, ["c"]), {"a": a, "b": bm}, atol=2e-3, rtol=2e-3)
    a = rnd((3, 16))
    yield Case("MatMul_const_weight", single_node("MatMul", {"a": a}, ["c"], initializers={"w": rnd((16, 8))}), {"a": a})

    for ta in (0, 1):
        for tb in (0, 1):
            A = rnd((4, 3) if ta else (3, 4))
            B = rnd((5, 4) if tb else (4, 5))
            for cshape in ((5,), (3, 5), (3, 1), ()):
                C = rnd(cshape)
                name = f"Gemm_ta{ta}_tb{tb}_c{len(cshape)}{'x'.join(map(str, cshape))}"
                yield Case(name, single_node("Gemm", {"A": A, "B": B}, ["Y"], initializers={"C": C},
                                             alpha=0.5, beta=2.0, transA=ta, transB=tb), {"A": A, "B": B})
    # Split products with transposed operands: row panels of A^T, column panels of B^T.
    A, B, C = rnd((32, 512)), rnd((96, 32)), rnd((96,))
    yield Case("Gemm_split_rows_ta1_tb1", single_node("Gemm", {"A": A, "B": B}, ["Y"], initializers={"C": C},
                                                      transA=1, transB=1), {"A": A, "B": B})
    A, B = rnd((4, 32)), rnd((4200, 32))
    yield Case("Gemm_split_columns_tb1", single_node("Gemm", {"A": A, "B": B}, ["Y"], transB=1), {"A": A, "B": B})
    A, B = rnd((3, 4)), rnd((4, 2))
    yield Case("Gemm_no_c", single_node("Gemm", {"A": A, "B": B}, ["Y"]), {"A": A, "B": B})

    # If with branches that read an outer value.
    for cond in (True, False):
        xv = rnd((2, 3))
        then_g = helper.make_graph([helper.make_node("Mul", ["x", "x"], ["t"])], "then", [],
                                   [helper.make_tensor_value_info("t", TensorProto.FLOAT, None)])
        else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["e"])], "else", [],
                                   [helper.make_tensor_value_info("e", TensorProto.FLOAT, None)])
        node = helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g)
        graph = helper.make_graph([node], "if_graph",
                                  [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                                   helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        yield Case(f"If_{cond}", model, {"c": np.array(cond), "x": xv})
