"""The shared genai-fp32 model quantized by ONNX Runtime's own tools: MatMulNBitsQuantizer RTN
(blocks 32/128, sym/asym, accuracy_level 4 and unset), its 8-bit mode, its QDQ output format, and
the fp16 conversion of the Model Builder CPU-layout test model (fp16 weights, KV cache and io)."""
import os
import shutil

import onnx
from onnxruntime.quantization import QuantFormat
from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer
from onnxruntime.transformers.float16 import convert_float_to_float16

SIDE_FILES = ("genai_config.json", "tokenizer.json", "tokenizer_config.json")


def quantize(src, dst, **config):
    os.makedirs(dst, exist_ok=True)
    q = MatMulNBitsQuantizer(onnx.load(os.path.join(src, "model.onnx")),
                             algo_config=DefaultWeightOnlyQuantConfig(**config))
    q.process()
    q.model.save_model_to_file(os.path.join(dst, "model.onnx"), use_external_data_format=True)
    for f in SIDE_FILES:
        shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))


def make(gen_dir, shared_dir):
    src = os.path.join(shared_dir, "models/stories260K/genai-fp32")
    quantize(src, os.path.join(gen_dir, "ortq_int4_b32_sym"), block_size=32, is_symmetric=True)
    quantize(src, os.path.join(gen_dir, "ortq_int4_b128_asym_acc4"), block_size=128, is_symmetric=False, accuracy_level=4)
    quantize(src, os.path.join(gen_dir, "ortq_int8_b64_asym"), block_size=64, is_symmetric=False, bits=8)
    quantize(src, os.path.join(gen_dir, "ortq_qdq_int4_b32"), block_size=32, is_symmetric=True,
             quant_format=QuantFormat.QDQ)
    # fp16 twin of a generated Model Builder CPU-layout model (made earlier by make_genai_cpu_default).
    fp32 = os.path.join(gen_dir, "genai_ratio2_bias")
    dst = os.path.join(gen_dir, "genai_ratio2_bias_fp16")
    os.makedirs(dst, exist_ok=True)
    model = convert_float_to_float16(onnx.load(os.path.join(fp32, "model.onnx")), keep_io_types=False)
    onnx.save_model(model, os.path.join(dst, "model.onnx"), save_as_external_data=True, location="model.onnx.data")
    shutil.copyfile(os.path.join(fp32, "genai_config.json"), os.path.join(dst, "genai_config.json"))
