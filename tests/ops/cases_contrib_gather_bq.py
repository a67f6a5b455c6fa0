"""GatherBlockQuantized (com.microsoft) against ONNX Runtime: uint8 data with 8, 4 or 2 bits per
value (packed and plain zero points, or the default 2^(bits-1)), int4/uint4 data with int4 zero
points, float8 data (per-row, per-tensor and blocked scales), fp32 and fp16 scales, block sizes
0-128, negative and out-of-range indices (zero rows)."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from opcase import Case, single_node

MS = "com.microsoft"


def _pack_along_last(values, bits):
    """uint8 bytes holding 8/bits values each, low bits first, along the last axis."""
    per = 8 // bits
    v = values.reshape(*values.shape[:-1], values.shape[-1] // per, per).astype(np.uint8)
    out = np.zeros(v.shape[:-1], dtype=np.uint8)
    for k in range(per):
        out |= (v[..., k] << (k * bits)).astype(np.uint8)
    return out


def _uint8_case(name, rng, rows, cols, bits, block, zp_kind, scale_dtype, indices):
    q = rng.integers(0, 1 << bits, size=(rows, cols))
    nblocks = (cols + block - 1) // block
    data = _pack_along_last(q, bits) if bits < 8 else q.astype(np.uint8)
    inits = {"data": data, "scales": (rng.uniform(0.01, 0.1, size=(rows, nblocks))).astype(scale_dtype)}
    order = ["data", "indices", "scales"]
    if zp_kind:
        zps = rng.integers(0, 1 << bits, size=(rows, nblocks))
        if bits < 8:
            per = 8 // bits
            padded = np.zeros((rows, (nblocks + per - 1) // per * per), dtype=np.int64)
            padded[:, :nblocks] = zps
            inits["zero_points"] = _pack_along_last(padded, bits)
        else:
            inits["zero_points"] = zps.astype(np.uint8)
        order.append("zero_points")
    ins = {"indices": indices}
    model = single_node("GatherBlockQuantized", ins, ["y"], initializers=inits, domain=MS, input_order=order,
                        gather_axis=0, quantize_axis=1, block_size=block, bits=bits)
    return Case(name, model, ins)


def _int4_case(name, rng, signed, rows, cols, block, zp, indices, gather_axis=0, quantize_axis=1):
    lo, hi = (-8, 8) if signed else (0, 16)
    elem = TensorProto.INT4 if signed else TensorProto.UINT4
    q = rng.integers(lo, hi, size=(rows, cols))
    shape_blocks = [rows, cols]
    shape_blocks[quantize_axis] = (shape_blocks[quantize_axis] + block - 1) // block
    scales = rng.uniform(0.01, 0.1, size=shape_blocks).astype(np.float32)
    tensors = [helper.make_tensor("data", elem, [rows, cols], q.flatten().tolist()),
               numpy_helper.from_array(scales, "scales")]
    order = ["data", "indices", "scales"]
    if zp:
        z = rng.integers(lo, hi, size=shape_blocks)
        tensors.append(helper.make_tensor("zero_points", elem, shape_blocks, z.flatten().tolist()))
        order.append("zero_points")
    ins = {"indices": indices}
    model = single_node("GatherBlockQuantized", ins, ["y"], domain=MS, input_order=order, gather_axis=gather_axis,
                        quantize_axis=quantize_axis, block_size=block, bits=4)
    model.graph.initializer.extend(tensors)
    return Case(name, model, ins)


def _float8_case(name, rng, elem, rows, cols, block, scale_shape, indices):
    values = rng.standard_normal((rows, cols)).astype(np.float32) * 4
    ins = {"indices": indices}
    model = single_node("GatherBlockQuantized", ins, ["y"], domain=MS, input_order=["data", "indices", "scales"],
                        initializers={"scales": rng.uniform(0.5, 2, size=scale_shape).astype(np.float32)},
                        gather_axis=0, quantize_axis=1, block_size=block)
    model.graph.initializer.append(helper.make_tensor("data", elem, [rows, cols], values.flatten().tolist()))
    return Case(name, model, ins)


def cases():
    rng = np.random.default_rng(77)
    idx = np.array([[0, 5, 31], [-1, 7, 2]], dtype=np.int64)
    yield _uint8_case("contrib_gbq_u8_bits4_block32_nozp", rng, 32, 64, 4, 32, False, np.float32, idx)
    yield _uint8_case("contrib_gbq_u8_bits4_block16_zp", rng, 32, 80, 4, 16, True, np.float32, idx)
    yield _uint8_case("contrib_gbq_u8_bits4_block32_zp_oddblocks", rng, 32, 96, 4, 32, True, np.float32, idx)
    yield _uint8_case("contrib_gbq_u8_bits2_block16_zp", rng, 32, 64, 2, 16, True, np.float32, idx)
    yield _uint8_case("contrib_gbq_u8_bits2_block32_nozp", rng, 32, 64, 2, 32, False, np.float32, idx)
    yield _uint8_case("contrib_gbq_u8_bits8_block64_zp", rng, 32, 128, 8, 64, True, np.float32, idx)
    yield _uint8_case("contrib_gbq_u8_bits8_block128_nozp", rng, 32, 128, 8, 128, False, np.float32, idx)
    yield _uint8_case("contrib_gbq_u8_bits4_fp16_scales", rng, 32, 64, 4, 32, True, np.float16,
                      np.array([3, 4], dtype=np.int32))
    yield _uint8_case("contrib_gbq_u8_bits4_out_of_range_index", rng, 16, 64, 4, 32, True, np.float32,
                      np.array([1, 16, -17, 2], dtype=np.int64))
    yield _int4_case("contrib_gbq_int4_block16_zp", rng, True, 24, 48, 16, True, idx % 24)
    yield _int4_case("contrib_gbq_int4_block32_nozp", rng, True, 24, 64, 32, False, idx % 24)
    yield _int4_case("contrib_gbq_uint4_block16_zp", rng, False, 24, 48, 16, True, idx % 24)
    yield _int4_case("contrib_gbq_uint4_gather1_quant0", rng, False, 32, 10, 16, True,
                     np.array([0, 9, 3], dtype=np.int64), gather_axis=1, quantize_axis=0)
    yield _float8_case("contrib_gbq_f8e4m3_rowscale", rng, TensorProto.FLOAT8E4M3FN, 16, 64, 0, (16, 1),
                       np.array([1, 3, -2], dtype=np.int64))
    yield _float8_case("contrib_gbq_f8e4m3_tensorscale", rng, TensorProto.FLOAT8E4M3FN, 16, 64, 0, (1, 1),
                       np.array([0, 15], dtype=np.int64))
    yield _float8_case("contrib_gbq_f8e5m2_block32", rng, TensorProto.FLOAT8E5M2, 16, 64, 32, (16, 2),
                       np.array([[4, 5], [6, 7]], dtype=np.int32))
