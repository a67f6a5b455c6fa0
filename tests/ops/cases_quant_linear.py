"""QuantizeLinear / DequantizeLinear (opsets 10-21) against ONNX Runtime: per tensor, per axis and
blocked, every stored type (int4/uint4 and float8 as initializers, since .npy cannot carry them),
with and without zero points, fp32 and fp16 scales. Quantized outputs must be bit-equal (atol 0);
float outputs of DequantizeLinear too, since both sides compute float(x - zp) * scale once."""
import numpy as np
from onnx import TensorProto, helper

from opcase import Case, single_node

RNG = np.random.default_rng(2031)

INT_TYPES = {  # onnx type -> (numpy storage, lo, hi)
    TensorProto.INT8: (np.int8, -128, 127), TensorProto.UINT8: (np.uint8, 0, 255),
    TensorProto.INT16: (np.int16, -32768, 32767), TensorProto.UINT16: (np.uint16, 0, 65535),
    TensorProto.INT32: (np.int32, -100000, 100000),
    TensorProto.INT4: (None, -8, 7), TensorProto.UINT4: (None, 0, 15),
}
FP8 = {TensorProto.FLOAT8E4M3FN: "e4m3fn", TensorProto.FLOAT8E5M2: "e5m2"}
NAMES = {TensorProto.INT8: "i8", TensorProto.UINT8: "u8", TensorProto.INT16: "i16", TensorProto.UINT16: "u16",
         TensorProto.INT32: "i32", TensorProto.INT4: "i4", TensorProto.UINT4: "u4",
         TensorProto.FLOAT8E4M3FN: "e4m3", TensorProto.FLOAT8E5M2: "e5m2"}


def packed_tensor(name, onnx_type, values):
    """An initializer of any quantized type from integer values (or raw float8 codes)."""
    shape = list(values.shape)
    flat = values.reshape(-1).astype(np.int64)
    if onnx_type in (TensorProto.INT4, TensorProto.UINT4):
        nib = (flat & 0xF).astype(np.uint8)
        if len(nib) % 2:
            nib = np.append(nib, 0)
        raw = (nib[0::2] | (nib[1::2] << 4)).astype(np.uint8).tobytes()
        return helper.make_tensor(name, onnx_type, shape, raw, raw=True)
    if onnx_type in FP8:
        return helper.make_tensor(name, onnx_type, shape, flat.astype(np.uint8).tobytes(), raw=True)
    return helper.make_tensor(name, onnx_type, shape, flat.astype(INT_TYPES[onnx_type][0]).tobytes(), raw=True)


def random_codes(onnx_type, shape):
    if onnx_type in FP8:
        codes = RNG.integers(0, 256, size=shape)
        # Skip NaN codes: e4m3fn 0x7f/0xff, e5m2 exponent 31.
        bad = (codes & 0x7F) == 0x7F if onnx_type == TensorProto.FLOAT8E4M3FN else (codes & 0x7C) == 0x7C
        return np.where(bad, 0x10, codes)
    _, lo, hi = INT_TYPES[onnx_type]
    return RNG.integers(lo, hi + 1, size=shape)


def model(nodes, inputs, outputs, initializers, opset):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=initializers)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 10 if opset >= 21 else 9
    return m


def scale_shape(x_shape, mode, axis, block):
    if mode == "tensor":
        return []
    if mode == "axis":
        return [x_shape[axis]]
    s = list(x_shape)
    s[axis] = -(-x_shape[axis] // block)
    return s


def dq_case(onnx_type, mode, axis=1, block=0, with_zp=True, scale_dtype=np.float32, opset=21, x_input=False):
    x_shape = [4, 6, 5] if mode != "tensor" else [3, 7]
    codes = random_codes(onnx_type, x_shape)
    s_shape = scale_shape(x_shape, mode, axis, block)
    scale = (RNG.uniform(0.01, 0.5, size=s_shape) * RNG.choice([-1, 1], size=s_shape)).astype(scale_dtype)
    stype = TensorProto.FLOAT if scale_dtype == np.float32 else TensorProto.FLOAT16
    inits = [helper.make_tensor("scale", stype, s_shape, scale.reshape(-1).tolist())]
    node_inputs = ["x", "scale"]
    zp_ok = with_zp and onnx_type not in FP8 and onnx_type != TensorProto.INT32
    if zp_ok:
        inits.append(packed_tensor("zp", onnx_type, random_codes(onnx_type, s_shape)))
        node_inputs.append("zp")
    feeds = {}
    graph_inputs = []
    if x_input:
        arr = codes.astype(INT_TYPES[onnx_type][0])
        feeds["x"] = arr
        graph_inputs.append(helper.make_tensor_value_info("x", onnx_type, x_shape))
    else:
        inits.append(packed_tensor("x", onnx_type, codes))
    attrs = {}
    if mode != "tensor":
        attrs["axis"] = axis
    if block:
        attrs["block_size"] = block
    node = helper.make_node("DequantizeLinear", node_inputs, ["y"], **attrs)
    m = model([node], graph_inputs, [helper.make_tensor_value_info("y", stype, None)], inits, opset)
    name = (f"quant_dq_o{opset}_{NAMES[onnx_type]}_{mode}_ax{axis}_b{block}_{'zp' if zp_ok else 'nozp'}_"
            f"{'f16' if scale_dtype == np.float16 else 'f32'}{'_in' if x_input else ''}")
    return Case(name, m, feeds, atol=0.0, rtol=0.0)


def q_case(onnx_type, mode, axis=1, block=0, with_zp=True, in_dtype=np.float32, opset=21, saturate=None):
    """QuantizeLinear; 4-bit and float8 results go through DequantizeLinear so the output is
    float (the comparison harness reads .npy, which has no int4/float8)."""
    x_shape = [4, 6, 5] if mode != "tensor" else [3, 7]
    s_shape = scale_shape(x_shape, mode, axis, block)
    scale = RNG.uniform(0.02, 0.3, size=s_shape).astype(in_dtype)
    x = (RNG.standard_normal(x_shape) * 8).astype(in_dtype)
    if onnx_type not in FP8:
        # Exact ties (x / scale = k + 0.5) exercise round-half-to-even.
        ties = (np.floor(RNG.uniform(-20, 20, size=x_shape)) + 0.5).astype(np.float32)
        xf = x.astype(np.float32).reshape(-1)
        xf[::3] = ties.reshape(-1)[::3] * full_scale(scale, x_shape, mode, axis, block).reshape(-1)[::3]
        x = xf.reshape(x_shape).astype(in_dtype)
    else:
        x[0, 0] = 1e6  # out of range: saturates (or becomes inf/NaN with saturate=0)
    if onnx_type in (TensorProto.INT16, TensorProto.UINT16):
        # Reach the 16-bit range (and saturate some); fp16 inputs stay finite.
        x = (x.astype(np.float32) * (3000 if in_dtype == np.float32 else 20)).astype(in_dtype)
    stype = TensorProto.FLOAT if in_dtype == np.float32 else TensorProto.FLOAT16
    inits = [helper.make_tensor("scale", stype, s_shape, scale.reshape(-1).tolist())]
    node_inputs = ["x", "scale"]
    zp_ok = with_zp and onnx_type not in FP8
    if zp_ok:
        inits.append(packed_tensor("zp", onnx_type, random_codes(onnx_type, s_shape) // 4))
        node_inputs.append("zp")
    elif onnx_type in FP8:
        inits.append(packed_tensor("zp", onnx_type, np.zeros(s_shape, np.int64)))
        node_inputs.append("zp")
    attrs = {}
    if mode != "tensor":
        attrs["axis"] = axis
    if block:
        attrs["block_size"] = block
    if not zp_ok and onnx_type not in FP8 and onnx_type != TensorProto.UINT8:
        attrs["output_dtype"] = onnx_type
    if saturate is not None:
        attrs["saturate"] = saturate
    nodes = [helper.make_node("QuantizeLinear", node_inputs, ["q"], **attrs)]
    packed_out = onnx_type in FP8 or onnx_type in (TensorProto.INT4, TensorProto.UINT4)
    if packed_out:
        dq_attrs = {k: v for k, v in attrs.items() if k in ("axis", "block_size")}
        nodes.append(helper.make_node("DequantizeLinear", ["q"] + node_inputs[1:], ["y"], **dq_attrs))
        out = helper.make_tensor_value_info("y", stype, None)
    else:
        out = helper.make_tensor_value_info("q", onnx_type, None)
    m = model(nodes, [helper.make_tensor_value_info("x", stype, x_shape)], [out], inits, opset)
    name = (f"quant_q_o{opset}_{NAMES[onnx_type]}_{mode}_ax{axis}_b{block}_{'zp' if zp_ok else 'nozp'}_"
            f"{'f16' if in_dtype == np.float16 else 'f32'}{'' if saturate is None else f'_sat{saturate}'}")
    return Case(name, m, {"x": x}, atol=0.0, rtol=0.0)


def full_scale(scale, x_shape, mode, axis, block):
    """The scale of every element of x, as float32."""
    scale = scale.astype(np.float32)
    if mode == "tensor":
        return np.broadcast_to(scale, x_shape)
    if mode == "axis":
        shape = [1] * len(x_shape)
        shape[axis] = x_shape[axis]
        return np.broadcast_to(scale.reshape(shape), x_shape)
    return np.repeat(scale, block, axis=axis).take(range(x_shape[axis]), axis=axis)


def cases():
    seen = set()
    for case in all_cases():
        if case.name not in seen:  # zero-point variants collapse for types that take none
            seen.add(case.name)
            yield case


def all_cases():
    all_types = list(INT_TYPES) + list(FP8)
    for t in (TensorProto.INT8, TensorProto.UINT8, TensorProto.INT32):
        yield dq_case(t, "tensor", opset=10, x_input=True)
        yield dq_case(t, "axis", axis=1, opset=13, x_input=True)
    for t in all_types:
        for zp in (True, False):
            yield dq_case(t, "tensor", with_zp=zp)
            yield dq_case(t, "axis", axis=0, with_zp=zp)
            yield dq_case(t, "axis", axis=2, with_zp=zp, scale_dtype=np.float16)
            yield dq_case(t, "block", axis=1, block=4, with_zp=zp)
            yield dq_case(t, "block", axis=2, block=2, with_zp=zp, scale_dtype=np.float16)
    for t in (TensorProto.INT8, TensorProto.UINT8, TensorProto.INT16, TensorProto.UINT16):
        yield dq_case(t, "axis", axis=1, x_input=True)
    for t in (TensorProto.INT8, TensorProto.UINT8):
        yield q_case(t, "tensor", opset=10)
        yield q_case(t, "axis", axis=1, opset=13)
    q_types = [TensorProto.INT8, TensorProto.UINT8, TensorProto.INT16, TensorProto.UINT16,
               TensorProto.INT4, TensorProto.UINT4]
    for t in q_types:
        for zp in (True, False):
            yield q_case(t, "tensor", with_zp=zp)
            yield q_case(t, "axis", axis=0, with_zp=zp)
            yield q_case(t, "axis", axis=2, with_zp=zp, in_dtype=np.float16)
            yield q_case(t, "block", axis=1, block=4, with_zp=zp)
            yield q_case(t, "block", axis=2, block=2, with_zp=zp, in_dtype=np.float16)
    for t in FP8:
        yield q_case(t, "tensor", opset=19)
        yield q_case(t, "axis", axis=1, opset=21)
        yield q_case(t, "tensor", opset=21, saturate=0)
