#pragma once

#include <evalq/dtype.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace evalq {

using Shape = std::vector<int64_t>;

int64_t shape_numel(std::span<const int64_t> shape);
std::string shape_string(std::span<const int64_t> shape);

// A typed n-dimensional array that shares its storage: copies are cheap handles. Storage is
// either an owned (64-byte aligned) buffer or a view of memory someone else keeps alive (a
// memory-mapped weight file, a parsed protobuf), so weights are used where they lie.
class Tensor {
 public:
  Tensor() = default;

  // New uninitialized storage.
  static Tensor empty(DType dtype, Shape shape);
  static Tensor zeros(DType dtype, Shape shape);
  // A read-only view of `data`; `owner` keeps that memory alive as long as the tensor lives.
  static Tensor view(DType dtype, Shape shape, const void* data, std::shared_ptr<const void> owner);
  // Storage provided by an allocator (the executor's buffer pool).
  static Tensor adopt(DType dtype, Shape shape, std::shared_ptr<void> storage);

  template <typename T>
  static Tensor from_vector(DType dtype, Shape shape, const std::vector<T>& values);

  bool defined() const { return dtype_ != DType::Undefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  // Negative axes count from the end, as in ONNX.
  int64_t dim(int64_t axis) const;
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return dtype_bytes(dtype_, numel()); }

  const void* raw() const { return data_; }
  void* mutable_raw() { return data_; }
  template <typename T>
  const T* data() const { return static_cast<const T*>(data_); }
  template <typename T>
  T* mutable_data() { return static_cast<T*>(data_); }

  // Same storage, new shape (element count must match).
  Tensor reshaped(Shape shape) const;
  // A deep copy in owned storage.
  Tensor clone() const;
  const std::shared_ptr<const void>& storage() const { return storage_; }

 private:
  DType dtype_ = DType::Undefined;
  Shape shape_;
  void* data_ = nullptr;
  std::shared_ptr<const void> storage_;
};

template <typename T>
Tensor Tensor::from_vector(DType dtype, Shape shape, const std::vector<T>& values) {
  Tensor t = empty(dtype, std::move(shape));
  std::copy(values.begin(), values.end(), t.mutable_data<T>());
  return t;
}

// Reads fp16/bf16/fp32 values as float; used where weights may be stored in any of them.
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
float bfloat16_to_float(uint16_t b);
uint16_t float_to_bfloat16(float f);
// The n fp16 or bf16 values at `src` (`type` says which) as floats at `dst`.
void widen_halves(DType type, const uint16_t* src, int64_t n, float* dst);
// A float32 copy of a floating tensor (fp16, bf16, fp64, fp8); returns `t` itself when already fp32.
Tensor to_float32(const Tensor& t);

}  // namespace evalq
