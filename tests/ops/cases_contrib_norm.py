"""RMSNorm / LayerNorm ops of ONNX Runtime's transformer fusion: SimplifiedLayerNormalization
(ai.onnx domain, ORT-internal), SkipSimplifiedLayerNormalization and SkipLayerNormalization
(com.microsoft), every output included."""
import numpy as np

from opcase import Case, single_node

MS = "com.microsoft"
# fp16 outputs: ORT computes in fp32 like evalq; the one-rounding difference allowed is a half ulp
# of fp16 at values up to ~4.
FP16_TOL = dict(atol=2e-3, rtol=1e-3)


def _rng(seed):
    return np.random.default_rng(seed)


def _simplified_cases():
    for dtype, axis, shape in [(np.float32, -1, (2, 3, 16)), (np.float32, 1, (2, 3, 8)),
                               (np.float32, -1, (5, 32)), (np.float16, -1, (2, 4, 16))]:
        rng = _rng(len(shape) * 10 + axis)
        x = rng.standard_normal(shape).astype(dtype)
        norm_shape = shape[axis % len(shape):]
        scale = rng.standard_normal(norm_shape).astype(dtype)
        name = f"contrib_simplified_ln_{np.dtype(dtype).name}_axis{axis}_{'x'.join(map(str, shape))}"
        model = single_node("SimplifiedLayerNormalization", {"x": x}, ["y", "inv_std_var"],
                            initializers={"scale": scale}, axis=axis, epsilon=1e-5, stash_type=1)
        tol = FP16_TOL if dtype == np.float16 else {}
        yield Case(name, model, {"x": x}, **tol)


def _skip_cases(op, simplified):
    tag = "skip_simplified_ln" if simplified else "skip_ln"
    variants = [
        dict(dtype=np.float32, shape=(2, 3, 16), skip_shape=(2, 3, 16), bias=False, beta=False),
        dict(dtype=np.float32, shape=(2, 3, 16), skip_shape=(2, 3, 16), bias=True, beta=True),
        dict(dtype=np.float32, shape=(1, 5, 32), skip_shape=(1, 5, 32), bias=True, beta=False),
        dict(dtype=np.float32, shape=(3, 4, 8), skip_shape=(1, 4, 8), bias=False, beta=True),
        dict(dtype=np.float32, shape=(6, 16), skip_shape=(6, 16), bias=True, beta=True),
        dict(dtype=np.float16, shape=(2, 3, 16), skip_shape=(2, 3, 16), bias=True, beta=True),
    ]
    for i, v in enumerate(variants):
        rng = _rng(100 + i)
        dtype = v["dtype"]
        hidden = v["shape"][-1]
        x = rng.standard_normal(v["shape"]).astype(dtype)
        skip = rng.standard_normal(v["skip_shape"]).astype(dtype)
        inits = {"gamma": rng.standard_normal(hidden).astype(dtype)}
        order = ["x", "skip", "gamma"]
        if simplified:
            if v["bias"]:
                inits["bias"] = rng.standard_normal(hidden).astype(dtype)
                order.append("bias")
        else:
            if v["beta"]:
                inits["beta"] = rng.standard_normal(hidden).astype(dtype)
            if v["beta"] or v["bias"]:
                order.append("beta" if v["beta"] else "")
            if v["bias"]:
                inits["bias"] = rng.standard_normal(hidden).astype(dtype)
                order.append("bias")
        outputs = ["y", "mean", "inv_std_var", "input_skip_bias_sum"]
        model = single_node(op, {"x": x, "skip": skip}, outputs, initializers=inits, domain=MS,
                            input_order=order, epsilon=1e-5)
        tol = FP16_TOL if dtype == np.float16 else {}
        name = (f"contrib_{tag}_{np.dtype(dtype).name}_{'x'.join(map(str, v['shape']))}"
                f"_skip{'x'.join(map(str, v['skip_shape']))}_bias{int(v['bias'])}"
                f"{'' if simplified else '_beta' + str(int(v['beta']))}")
        yield Case(name, model, {"x": x, "skip": skip}, **tol)
    # Model Builder's pattern: only the normalized output and the residual sum are consumed.
    rng = _rng(7)
    x = rng.standard_normal((1, 4, 16)).astype(np.float32)
    skip = rng.standard_normal((1, 4, 16)).astype(np.float32)
    model = single_node(op, {"x": x, "skip": skip}, ["y", "", "", "sum"], domain=MS,
                        initializers={"gamma": rng.standard_normal(16).astype(np.float32)}, epsilon=1e-6)
    yield Case(f"contrib_{tag}_outputs_0_and_3", model, {"x": x, "skip": skip})


def cases():
    yield from _simplified_cases()
    yield from _skip_cases("SkipSimplifiedLayerNormalization", True)
    yield from _skip_cases("SkipLayerNormalization", False)
