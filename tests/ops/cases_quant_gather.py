"""com.microsoft GatherBlockQuantized against ONNX Runtime: uint8 data with bits 2/4/8 (Model
Builder's tied-embedding layout: gather_axis 0, quantize_axis last), int4/uint4 data over other
axis pairs, with and without zero points, fp32 and fp16 scales, int32/int64 and negative indices.
Each output is one float(q − zp) · scale rounded once, so it must be bit-equal."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from opcase import Case

RNG = np.random.default_rng(909)


def packed4(name, onnx_type, values):
    flat = (values.reshape(-1).astype(np.int64) & 0xF).astype(np.uint8)
    if len(flat) % 2:
        flat = np.append(flat, 0)
    raw = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).tobytes()
    return helper.make_tensor(name, onnx_type, list(values.shape), raw, raw=True)


def pack_last(codes, bits):
    per = 8 // bits
    pad = (-codes.shape[-1]) % per
    codes = np.pad(codes, [(0, 0)] * (codes.ndim - 1) + [(0, pad)])
    out = np.zeros(codes.shape[:-1] + (codes.shape[-1] // per,), np.uint8)
    for j in range(per):
        out |= (codes[..., j::per].astype(np.uint8) << (bits * j)).astype(np.uint8)
    return out


def model(inits, order, indices, attrs):
    node = helper.make_node("GatherBlockQuantized", order, ["y"], domain="com.microsoft", name="gbq", **attrs)
    itype = TensorProto.INT64 if indices.dtype == np.int64 else TensorProto.INT32
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("indices", itype, list(indices.shape))],
                              [onnx.ValueInfoProto(name="y")], initializer=inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 10
    return m


def uint8_case(bits, block, with_zp, scale_dtype, index_dtype):
    vocab, hidden = 11, 3 * block + block // 2 if bits != 2 else 2 * block
    nb = -(-hidden // block)
    codes = RNG.integers(0, 2 ** bits, size=(vocab, hidden))
    data = pack_last(codes, bits) if bits < 8 else codes.astype(np.uint8)
    scales = (RNG.uniform(0.01, 0.1, size=(vocab, nb)) * RNG.choice([-1, 1], size=(vocab, nb))).astype(scale_dtype)
    inits = [numpy_helper.from_array(data, "data"), numpy_helper.from_array(scales, "scales")]
    order = ["data", "indices", "scales"]
    if with_zp:
        z = RNG.integers(0, 2 ** bits, size=(vocab, nb))
        inits.append(numpy_helper.from_array(pack_last(z, bits) if bits < 8 else z.astype(np.uint8), "zp"))
        order.append("zp")
    indices = np.array([[0, 3, -1, 10, 3]], dtype=index_dtype)
    name = (f"quant_gbq_u8_b{bits}_bs{block}_{'zp' if with_zp else 'nozp'}_"
            f"{'f16' if scale_dtype == np.float16 else 'f32'}_{np.dtype(index_dtype).name}")
    return Case(name, model(inits, order, indices, dict(bits=bits, block_size=block, gather_axis=0, quantize_axis=1)),
                {"indices": indices}, atol=0.0, rtol=0.0)


def int4_case(onnx_type, gather_axis, quantize_axis, with_zp, scale_dtype):
    shape = [5, 6, 40]
    block = 16
    lo, hi = (-8, 7) if onnx_type == TensorProto.INT4 else (0, 15)
    codes = RNG.integers(lo, hi + 1, size=shape)
    s_shape = list(shape)
    s_shape[quantize_axis] = -(-shape[quantize_axis] // block)
    scales = RNG.uniform(0.01, 0.1, size=s_shape).astype(scale_dtype)
    inits = [packed4("data", onnx_type, codes), numpy_helper.from_array(scales, "scales")]
    order = ["data", "indices", "scales"]
    if with_zp:
        inits.append(packed4("zp", onnx_type, RNG.integers(lo, hi + 1, size=s_shape)))
        order.append("zp")
    indices = np.array([1, -2, 0, 1], dtype=np.int64)
    tname = "i4" if onnx_type == TensorProto.INT4 else "u4"
    name = (f"quant_gbq_{tname}_g{gather_axis}_q{quantize_axis}_{'zp' if with_zp else 'nozp'}_"
            f"{'f16' if scale_dtype == np.float16 else 'f32'}")
    attrs = dict(bits=4, block_size=block, gather_axis=gather_axis, quantize_axis=quantize_axis)
    return Case(name, model(inits, order, indices, attrs), {"indices": indices}, atol=0.0, rtol=0.0)


def cases():
    for bits in (4, 8, 2):
        for block in (16, 32, 128):
            for with_zp in (False, True):
                yield uint8_case(bits, block, with_zp, np.float32, np.int64)
        yield uint8_case(bits, 32, True, np.float16, np.int32)
    for t in (TensorProto.INT4, TensorProto.UINT4):
        for g, q in ((0, 2), (1, 2), (2, 0), (0, 1)):
            for with_zp in (False, True):
                yield int4_case(t, g, q, with_zp, np.float32)
        yield int4_case(t, 0, 2, True, np.float16)
