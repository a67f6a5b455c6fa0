#include "quant/integer_matmul.h"

#include <evalq/error.h>
#include <tbb/parallel_for.h>

#include "ops/common.h"
#include "quant/quant_values.h"

namespace evalq {
namespace {

std::vector<int16_t> widened(const Tensor& t) {
  std::vector<int16_t> v(static_cast<size_t>(t.numel()));
  with_int_reader(t, [&](auto read) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int16_t>(read(static_cast<int64_t>(i)));
  });
  return v;
}

int32_t zero_point_at(const std::vector<int32_t>& zp, int64_t i) { return zp.empty() ? 0 : zp.size() == 1 ? zp[0] : zp[i]; }

}  // namespace

IntegerProduct integer_matmul(const Tensor& a, const Tensor& b, const std::vector<int32_t>& a_zp,
                              const std::vector<int32_t>& b_zp, const Node& node) {
  for (const Tensor* t : {&a, &b}) {
    if (t->dtype() != DType::UInt8 && t->dtype() != DType::Int8) {
      throw Error(node.describe() + ": integer MatMul operands must be uint8 or int8, got " + dtype_name(t->dtype()));
    }
    if (t->rank() == 0) throw Error(node.describe() + ": integer MatMul operands must have rank >= 1");
  }
  Shape as = a.shape(), bs = b.shape();
  const bool a_vector = as.size() == 1, b_vector = bs.size() == 1;
  if (a_vector) as.insert(as.begin(), 1);
  if (b_vector) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  if (bs[bs.size() - 2] != K) {
    throw Error(node.describe() + ": inner dimensions differ: A " + shape_string(a.shape()) + ", B " + shape_string(b.shape()));
  }
  if (a_zp.size() > 1 && static_cast<int64_t>(a_zp.size()) != M) {
    throw Error(node.describe() + ": a_zero_point must hold 1 or M = " + std::to_string(M) + " values, got " +
                std::to_string(a_zp.size()));
  }
  if (b_zp.size() > 1 && static_cast<int64_t>(b_zp.size()) != N) {
    throw Error(node.describe() + ": b_zero_point must hold 1 or N = " + std::to_string(N) + " values, got " +
                std::to_string(b_zp.size()));
  }
  const Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  const Shape batch = broadcast_shapes({a_batch, b_batch}, node);
  const int64_t batches = shape_numel(batch);
  const auto a_strides = broadcast_strides(a_batch, batch), b_strides = broadcast_strides(b_batch, batch);
  const auto out_strides = contiguous_strides(batch);

  // A's rows widened once to int16 with a_zp applied; B a tile of columns at a time (transposed,
  // b_zp applied), so no widened copy of the whole weight exists.
  std::vector<int16_t> av = widened(a);
  for (int64_t i = 0; i < static_cast<int64_t>(av.size()); ++i) {
    av[i] = static_cast<int16_t>(av[i] - zero_point_at(a_zp, (i / K) % M));
  }
  IntegerProduct out;
  out.shape = batch;
  if (!a_vector) out.shape.push_back(M);
  if (!b_vector) out.shape.push_back(N);
  out.N = N;
  out.values.assign(static_cast<size_t>(batches * M * N), 0);
  constexpr int64_t kCols = 16;
  const int64_t tiles = (N + kCols - 1) / kCols;
  with_int_reader(b, [&](auto read_b) {
    tbb::parallel_for(int64_t{0}, batches * tiles, [&](int64_t task) {
      const int64_t bi = task / tiles, n0 = (task % tiles) * kCols, count = std::min(kCols, N - n0);
      int64_t a_mat = 0, b_mat = 0, rem = bi;
      for (size_t d = 0; d < batch.size(); ++d) {
        const int64_t idx = rem / out_strides[d];
        rem %= out_strides[d];
        a_mat += idx * a_strides[d];
        b_mat += idx * b_strides[d];
      }
      std::vector<int16_t> tile(static_cast<size_t>(count * K));
      for (int64_t k = 0; k < K; ++k) {
        for (int64_t c = 0; c < count; ++c) {
          tile[c * K + k] = static_cast<int16_t>(read_b((b_mat * K + k) * N + n0 + c) - zero_point_at(b_zp, n0 + c));
        }
      }
      for (int64_t m = 0; m < M; ++m) {
        const int16_t* arow = av.data() + (a_mat * M + m) * K;
        int32_t* dst = out.values.data() + (bi * M + m) * N + n0;
        for (int64_t c = 0; c < count; ++c) {
          const int16_t* bcol = tile.data() + c * K;
          int32_t sum = 0;
          for (int64_t k = 0; k < K; ++k) sum += static_cast<int32_t>(arow[k]) * static_cast<int32_t>(bcol[k]);
          dst[c] = sum;
        }
      }
    });
  });
  return out;
}

}  // namespace evalq
