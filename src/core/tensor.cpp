#include <evalq/error.h>
#include <evalq/tensor.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/float8.h"
#include "core/tensor_memory.h"

namespace evalq {

int64_t shape_numel(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_string(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {

std::shared_ptr<void> allocate_aligned(size_t bytes) {
  return std::shared_ptr<void>(allocate_tensor_memory(bytes), [](void* q) { std::free(q); });
}

void check_shape(const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) throw Error("negative dimension in shape " + shape_string(shape));
  }
}

}  // namespace

Tensor Tensor::empty(DType dtype, Shape shape) {
  check_shape(shape);
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  auto storage = allocate_aligned(t.nbytes());
  t.data_ = storage.get();
  t.storage_ = std::move(storage);
  return t;
}

Tensor Tensor::zeros(DType dtype, Shape shape) {
  Tensor t = empty(dtype, std::move(shape));
  std::memset(t.data_, 0, t.nbytes());
  return t;
}

Tensor Tensor::view(DType dtype, Shape shape, const void* data, std::shared_ptr<const void> owner) {
  check_shape(shape);
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = const_cast<void*>(data);
  t.storage_ = std::move(owner);
  return t;
}

Tensor Tensor::adopt(DType dtype, Shape shape, std::shared_ptr<void> storage) {
  check_shape(shape);
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = storage.get();
  t.storage_ = std::move(storage);
  return t;
}

int64_t Tensor::dim(int64_t axis) const {
  int64_t r = static_cast<int64_t>(shape_.size());
  if (axis < -r || axis >= r) {
    throw Error("axis " + std::to_string(axis) + " out of range for shape " + shape_string(shape_));
  }
  return shape_[axis < 0 ? axis + r : axis];
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel()) {
    throw Error("cannot reshape " + shape_string(shape_) + " to " + shape_string(shape));
  }
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(dtype_, shape_);
  if (nbytes()) std::memcpy(t.data_, data_, nbytes());
  return t;
}

float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      // Subnormal half: normalize into a float exponent.
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mant & 0x3ff) << 13;
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  return std::bit_cast<float>(bits);
}

uint16_t float_to_half(float f) {
  // Round to nearest even, as numpy and ONNX Runtime's Cast do.
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) return static_cast<uint16_t>(sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
  if (abs >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // rounds to infinity
  if (abs < 0x38800000) {
    // Result is subnormal (or zero) in half precision.
    if (abs < 0x33000000) return static_cast<uint16_t>(sign);
    uint32_t e = abs >> 23;
    uint32_t m = (abs & 0x7fffff) | 0x800000;
    uint32_t shift = 126 - e;
    uint32_t half_m = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half_m & 1))) ++half_m;
    return static_cast<uint16_t>(sign | half_m);
  }
  uint32_t h = ((abs - 0x38000000) >> 13);
  uint32_t rem = abs & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float bfloat16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

uint16_t float_to_bfloat16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);
  uint32_t rounding = 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>((x + rounding) >> 16);
}

void widen_halves(DType type, const uint16_t* src, int64_t n, float* dst) {
  if (type == DType::BFloat16) {
    for (int64_t i = 0; i < n; ++i) dst[i] = bfloat16_to_float(src[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = half_to_float(src[i]);
  }
}

Tensor to_float32(const Tensor& t) {
  if (t.dtype() == DType::Float32) return t;
  Tensor out = Tensor::empty(DType::Float32, t.shape());
  float* dst = out.mutable_data<float>();
  int64_t n = t.numel();
  switch (t.dtype()) {
    case DType::Float16:
    case DType::BFloat16:
      widen_halves(t.dtype(), t.data<uint16_t>(), n, dst);
      break;
    case DType::Float64: {
      const double* src = t.data<double>();
      for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]);
      break;
    }
    case DType::Float8E4M3FN: case DType::Float8E4M3FNUZ: case DType::Float8E5M2:
    case DType::Float8E5M2FNUZ: {
      const uint8_t* src = t.data<uint8_t>();
      for (int64_t i = 0; i < n; ++i) dst[i] = float8_to_float(t.dtype(), src[i]);
      break;
    }
    default:
      throw Error("cannot convert " + dtype_name(t.dtype()) + " tensor to float32");
  }
  return out;
}

}  // namespace evalq
