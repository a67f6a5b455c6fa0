"""com.microsoft MatMulNBits against ONNX Runtime: bits 2/4/8, block sizes 16-256, K with and
without padding, implicit / packed uint8 / float zero points, g_idx, bias, 1-D and 2-D scales
(random signs), fp16 A and scales, M = 1 and M > 1, 3-D A, accuracy_level 0 and 4; plus
weights made by ORT's own blockwise quantizer.

Tolerances: fp32 outputs here reach about 10 in magnitude and are sums of K (up to 640) products.
ORT sums in SIMD-lane order (per block for accuracy_level 4), evalq in sgemm's or block order, so
results differ by a few ulps of the partial sums: atol 1e-4 (1e-5 relative to the output range),
rtol 1e-5. The int8 quantization of A itself is reproduced exactly (same fp32 operations), so no
element can be off by a rounding flip. fp16 outputs may round to the neighbouring fp16 value:
atol 1e-2 (about one fp16 ulp at 10), rtol 1e-3."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from opcase import Case

RNG = np.random.default_rng(4242)


def pack_codes(codes, bits):
    """codes [N, n_blocks * block] -> uint8 with element 0 in the lowest bits."""
    per = 8 // bits
    out = np.zeros((codes.shape[0], codes.shape[1] // per), np.uint8)
    for j in range(per):
        out |= (codes[:, j::per].astype(np.uint8) << (bits * j)).astype(np.uint8)
    return out


def nbits_case(name, *, K, N, bits=4, block=32, acc=0, zp="none", g_idx=False, bias=False, scales_2d=False,
               dtype=np.float32, a_shape=None, scale_mag=None):
    nb = -(-K // block)
    codes = RNG.integers(0, 2 ** bits, size=(N, nb * block))
    b = pack_codes(codes, bits).reshape(N, nb, block * bits // 8)
    mag = scale_mag if scale_mag is not None else 0.3 / np.sqrt(K) / (2 ** (bits - 1) / 8)
    scales = (RNG.uniform(0.2, 1.0, size=(N, nb)) * RNG.choice([-1, 1], size=(N, nb)) * mag).astype(dtype)
    inits = {"B": b, "scales": scales if scales_2d else scales.reshape(-1)}
    order = ["A", "B", "scales"]
    if zp == "packed":
        z = RNG.integers(0, 2 ** bits, size=(N, nb))
        inits["zero_points"] = pack_codes(np.pad(z, ((0, 0), (0, (-nb) % (8 // bits)))), bits).reshape(-1)
        order.append("zero_points")
    elif zp == "float":
        inits["zero_points"] = RNG.uniform(0, 2 ** bits - 1, size=(N * nb,)).astype(dtype)
        order.append("zero_points")
    if g_idx:
        g = (np.arange(K) // block).astype(np.int32)
        RNG.shuffle(g)
        inits["g_idx"] = g
        order += [""] * (4 - len(order)) + ["g_idx"]
    if bias:
        inits["bias"] = RNG.standard_normal(N).astype(dtype)
        order += [""] * (5 - len(order)) + ["bias"]
    a_shape = a_shape or [3, K]
    a = RNG.standard_normal(a_shape).astype(dtype)
    onnx_type = TensorProto.FLOAT if dtype == np.float32 else TensorProto.FLOAT16
    node = helper.make_node("MatMulNBits", order, ["Y"], domain="com.microsoft", name="MatMulNBits_node", K=K, N=N,
                            bits=bits, block_size=block, accuracy_level=acc)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("A", onnx_type, a_shape)],
                              [helper.make_tensor_value_info("Y", onnx_type, None)],
                              initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 10
    tol = (1e-4, 1e-5) if dtype == np.float32 else (1e-2, 1e-3)
    return Case(f"quant_nbits_{name}", model, {"A": a}, atol=tol[0], rtol=tol[1])


def ort_quantized_case(name, *, K, N, bits, block, symmetric, acc):
    """Weights quantized by ORT's own blockwise RTN quantizer (MLAS, as MatMulNBitsQuantizer
    uses it): negative scales for symmetric blocks, packed uint8 zero points otherwise."""
    from onnxruntime.capi import _pybind_state as ort_c
    w = (RNG.standard_normal((K, N)) * 0.1).astype(np.float32)
    nb = -(-K // block)
    b = np.zeros((N, nb, block * bits // 8), np.uint8)
    scales = np.zeros(N * nb, np.float32)
    zp = np.zeros(N * ((nb * bits + 7) // 8), np.uint8)
    quantize = {2: ort_c.quantize_matmul_2bits, 4: ort_c.quantize_matmul_4bits, 8: ort_c.quantize_matmul_8bits}[bits]
    quantize(b, w, scales, zp, block, N, K, symmetric)
    inits = [numpy_helper.from_array(b, "B"), numpy_helper.from_array(scales, "scales")]
    order = ["A", "B", "scales"]
    if not symmetric:
        inits.append(numpy_helper.from_array(zp, "zero_points"))
        order.append("zero_points")
    node = helper.make_node("MatMulNBits", order, ["Y"], domain="com.microsoft", name="MatMulNBits_node", K=K, N=N,
                            bits=bits, block_size=block, accuracy_level=acc)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [2, 5, K])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 10
    a = RNG.standard_normal((2, 5, K)).astype(np.float32)
    return Case(f"quant_nbits_ortq_{name}", model, {"A": a}, atol=1e-4, rtol=1e-5)


def cases():
    for bits in (4, 8, 2):
        for block in (16, 32, 64, 128, 256):
            for acc in (0, 4):
                K = 2 * block + block // 2 if block <= 64 else block + 16  # padded last block
                yield nbits_case(f"b{bits}_bs{block}_acc{acc}_pad", K=K, N=24, bits=bits, block=block, acc=acc)
        for acc in (0, 4):
            yield nbits_case(f"b{bits}_acc{acc}_zp_packed", K=160, N=20, bits=bits, acc=acc, zp="packed")
            yield nbits_case(f"b{bits}_acc{acc}_zp_packed_odd", K=96, N=7, bits=bits, acc=acc, zp="packed",
                             a_shape=[1, 96])
            yield nbits_case(f"b{bits}_acc{acc}_bias_2d_m1", K=128, N=33, bits=bits, acc=acc, bias=True,
                             scales_2d=True, a_shape=[1, 128])
            yield nbits_case(f"b{bits}_acc{acc}_3d", K=64, N=40, bits=bits, block=16, acc=acc, zp="packed",
                             a_shape=[2, 3, 64])
            yield nbits_case(f"b{bits}_acc{acc}_f16", K=128, N=24, bits=bits, acc=acc, zp="packed", bias=True,
                             dtype=np.float16)
            yield nbits_case(f"b{bits}_acc{acc}_big", K=640, N=96, bits=bits, block=64, acc=acc, a_shape=[17, 640])
            # Row and column counts that leave partial register tiles, K with whole and left-over
            # groups of four 32-element sub-blocks.
            yield nbits_case(f"b{bits}_acc{acc}_tiles", K=456, N=13, bits=bits, block=32, acc=acc, a_shape=[7, 456])
            yield nbits_case(f"b{bits}_acc{acc}_tiles_zp_packed", K=456, N=13, bits=bits, block=32, acc=acc,
                             zp="packed", a_shape=[7, 456])
    for bits in (4, 8):
        for acc in (1, 2, 3):  # fp32, fp16 and bf16 compute requests: ORT's x86 CPU kernel stays in fp32
            yield nbits_case(f"b{bits}_acc{acc}_zp_packed", K=160, N=20, bits=bits, acc=acc, zp="packed")
    for bits in (4, 2):
        for acc in (0, 4):
            yield nbits_case(f"b{bits}_acc{acc}_zp_float", K=96, N=16, bits=bits, acc=acc, zp="float")
            yield nbits_case(f"b{bits}_acc{acc}_zp_float_f16", K=96, N=16, bits=bits, acc=acc, zp="float",
                             dtype=np.float16)
    for acc in (0, 4):
        yield nbits_case(f"b4_acc{acc}_gidx", K=128, N=16, acc=acc, g_idx=True)
        yield nbits_case(f"b4_acc{acc}_gidx_bias", K=96, N=16, acc=acc, g_idx=True, bias=True)
        # ORT ignores packed zero points next to g_idx but honours float ones.
        yield nbits_case(f"b4_acc{acc}_gidx_zp_packed", K=96, N=16, acc=acc, g_idx=True, zp="packed")
        yield nbits_case(f"b4_acc{acc}_gidx_zp_float", K=96, N=16, acc=acc, g_idx=True, zp="float")
        yield nbits_case(f"b4_acc{acc}_m1_k4096", K=4096, N=64, block=128, acc=acc, a_shape=[1, 4096])
    for bits in (4, 8):
        for block in (32, 128):
            for symmetric in (True, False):
                for acc in (0, 4):
                    yield ort_quantized_case(f"b{bits}_bs{block}_{'sym' if symmetric else 'asym'}_acc{acc}",
                                             K=block * 3 - 8, N=48, bits=bits, block=block, symmetric=symmetric, acc=acc)
