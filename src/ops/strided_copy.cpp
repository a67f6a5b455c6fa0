#include "ops/strided_copy.h"

#include <tbb/parallel_for.h>

#include <cstring>

namespace evalq {
namespace {

template <typename T>
void copy_row(const T* src, int64_t stride, T* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i * stride];
}

}  // namespace

void strided_copy(const void* src_raw, const Shape& out_shape_in, const std::vector<int64_t>& src_strides_in,
                  void* dst_raw, size_t es) {
  // Merge dimensions that are contiguous in the source so rows are as long as possible.
  Shape shape;
  std::vector<int64_t> strides;
  for (size_t d = 0; d < out_shape_in.size(); ++d) {
    if (out_shape_in[d] == 1) continue;
    if (!shape.empty() && strides.back() == src_strides_in[d] * out_shape_in[d]) {
      shape.back() *= out_shape_in[d];
      strides.back() = src_strides_in[d];
    } else {
      shape.push_back(out_shape_in[d]);
      strides.push_back(src_strides_in[d]);
    }
  }
  if (shape_numel(out_shape_in) == 0) return;
  if (shape.empty()) {
    shape.push_back(1);
    strides.push_back(1);
  }
  const int64_t len = shape.back();
  const int64_t step = strides.back();
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < shape.size(); ++d) rows *= shape[d];
  const auto* src = static_cast<const uint8_t*>(src_raw);
  auto* dst = static_cast<uint8_t*>(dst_raw);
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      int64_t offset = 0, rem = r;
      for (size_t d = shape.size() - 1; d-- > 0;) {
        offset += (rem % shape[d]) * strides[d];
        rem /= shape[d];
      }
      const uint8_t* s = src + offset * static_cast<int64_t>(es);
      uint8_t* o = dst + r * len * static_cast<int64_t>(es);
      if (step == 1) {
        std::memcpy(o, s, static_cast<size_t>(len) * es);
        continue;
      }
      switch (es) {
        case 1: copy_row(s, step, o, len); break;
        case 2: copy_row(reinterpret_cast<const uint16_t*>(s), step, reinterpret_cast<uint16_t*>(o), len); break;
        case 4: copy_row(reinterpret_cast<const uint32_t*>(s), step, reinterpret_cast<uint32_t*>(o), len); break;
        case 8: copy_row(reinterpret_cast<const uint64_t*>(s), step, reinterpret_cast<uint64_t*>(o), len); break;
        default:
          for (int64_t i = 0; i < len; ++i) std::memcpy(o + i * es, s + i * step * static_cast<int64_t>(es), es);
      }
    }
  };
  if (rows * len >= (1 << 16) && rows > 1) {
    int64_t grain = std::max<int64_t>(1, (1 << 14) / len);
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, grain),
                      [&](const tbb::blocked_range<int64_t>& r) { run(r.begin(), r.end()); });
  } else {
    run(0, rows);
  }
}

}  // namespace evalq
