"""FastGelu, BiasGelu and QuickGelu (com.microsoft) against ONNX Runtime, with and without bias,
fp32 and fp16. Inputs span [-6, 6] to cover both tails."""
import numpy as np

from opcase import Case, single_node

MS = "com.microsoft"
FP16_TOL = dict(atol=4e-3, rtol=2e-3)  # one fp16 rounding of outputs up to ~6


def cases():
    for dtype in (np.float32, np.float16):
        tol = FP16_TOL if dtype == np.float16 else {}
        tag = np.dtype(dtype).name
        rng = np.random.default_rng(11)
        x = rng.uniform(-6, 6, size=(2, 3, 16)).astype(dtype)
        bias = rng.uniform(-1, 1, size=16).astype(dtype)
        yield Case(f"contrib_fastgelu_{tag}", single_node("FastGelu", {"x": x}, ["y"], domain=MS), {"x": x}, **tol)
        yield Case(f"contrib_fastgelu_bias_{tag}",
                   single_node("FastGelu", {"x": x}, ["y"], initializers={"bias": bias}, domain=MS), {"x": x}, **tol)
        yield Case(f"contrib_biasgelu_{tag}",
                   single_node("BiasGelu", {"x": x}, ["y"], initializers={"bias": bias}, domain=MS), {"x": x}, **tol)
        yield Case(f"contrib_quickgelu_{tag}", single_node("QuickGelu", {"x": x}, ["y"], domain=MS), {"x": x}, **tol)
        yield Case(f"contrib_quickgelu_alpha_{tag}",
                   single_node("QuickGelu", {"x": x}, ["y"], domain=MS, alpha=1.0), {"x": x}, **tol)
