#include "quant/int8_activations.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

namespace evalq {

namespace {

// Rewrites one natural-order row into Int8Order::NibbleGroups (see the header).
void to_nibble_groups(const int8_t* natural, int64_t padded, int8_t* out) {
  const int64_t sub_blocks = padded / 32, full = sub_blocks / 4 * 4;
  for (int64_t sb = 0; sb < sub_blocks; ++sb) {
    const int8_t* src = natural + sb * 32;
    int8_t* even;
    int8_t* odd;
    if (sb < full) {
      even = out + (sb / 4) * 128 + (sb % 4) * 16;
      odd = even + 64;
    } else {
      even = out + sb * 32;
      odd = even + 16;
    }
    for (int i = 0; i < 16; ++i) {
      even[i] = src[2 * i];
      odd[i] = src[2 * i + 1];
    }
  }
}

}  // namespace

Int8Rows quantize_rows_int8(const float* a, int64_t rows, int64_t K, int64_t block, Int8Order order) {
  Int8Rows r;
  r.rows = rows;
  r.block = block;
  r.n_blocks = (K + block - 1) / block;
  r.order = order;
  const int64_t padded = r.n_blocks * block;
  r.q.assign(static_cast<size_t>(rows * padded), 0);
  r.scale.assign(static_cast<size_t>(rows * r.n_blocks), 0.0f);
  r.scaled_sum.assign(static_cast<size_t>(rows * r.n_blocks), 0.0f);
  const int64_t sub_blocks = order == Int8Order::NibbleGroups ? padded / 32 : 0;
  r.sub_block_sums.assign(static_cast<size_t>(rows * sub_blocks), 0);
  tbb::parallel_for(int64_t{0}, rows, [&](int64_t row) {
    for (int64_t blk = 0; blk < r.n_blocks; ++blk) {
      const int64_t idx = row * r.n_blocks + blk;
      const float* src = a + row * K + blk * block;
      const int64_t count = std::min(block, K - blk * block);
      float amax = 0.0f;
      for (int64_t i = 0; i < count; ++i) amax = std::max(amax, std::fabs(src[i]));
      r.scale[idx] = amax / 127.0f;
      const float inverse = amax != 0.0f ? 127.0f / amax : 0.0f;
      int8_t* dst = r.q.data() + row * padded + blk * block;
      int32_t sum = 0;
      for (int64_t i = 0; i < count; ++i) {
        const float v = std::clamp(std::nearbyint(src[i] * inverse), -128.0f, 127.0f);
        dst[i] = static_cast<int8_t>(v);
        sum += dst[i];
      }
      r.scaled_sum[idx] = r.scale[idx] * static_cast<float>(sum);
    }
    if (order == Int8Order::NibbleGroups) {
      int8_t* q = r.q.data() + row * padded;
      for (int64_t sb = 0; sb < sub_blocks; ++sb) {
        int32_t sum = 0;
        for (int64_t i = 0; i < 32; ++i) sum += q[sb * 32 + i];
        r.sub_block_sums[row * sub_blocks + sb] = sum;
      }
      const std::vector<int8_t> natural(q, q + padded);
      to_nibble_groups(natural.data(), padded, q);
    }
  });
  return r;
}

NibbleLaneTerms nibble_lane_terms(const Int8Rows& rows, int32_t zero_point) {
  NibbleLaneTerms t;
  const int64_t sub_blocks = rows.n_blocks * rows.block / 32, per_block = rows.block / 32;
  t.groups = sub_blocks / 4;
  t.scale.assign(static_cast<size_t>(rows.rows * t.groups * 16), 0.0f);
  t.start.assign(static_cast<size_t>(rows.rows * t.groups * 16), 0);
  tbb::parallel_for(int64_t{0}, rows.rows, [&](int64_t row) {
    for (int64_t sb = 0; sb < t.groups * 4; ++sb) {
      const int64_t lane = (row * t.groups * 4 + sb) * 4;
      std::fill_n(t.scale.begin() + lane, 4, rows.scale[row * rows.n_blocks + sb / per_block]);
      t.start[lane] = -zero_point * rows.sub_block_sums[row * sub_blocks + sb];
    }
  });
  return t;
}

}  // namespace evalq
