#include "kld/base_logits_cache.h"

#include <evalq/error.h>
#include <evalq/tensor.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <numeric>

#include "common/row_stats.h"

namespace evalq {

namespace {

constexpr char kMagic[8] = {'E', 'V', 'A', 'L', 'Q', 'B', 'L', 'C'};
// Version 2 stores log p(target) as float64, so PPL(base) and the PPL ratio read from a cache are
// the direct run's exactly (version 1 rounded it to float32).
constexpr uint32_t kVersion = 2;

template <typename T>
void put(std::vector<char>& buf, size_t& at, T v) {
  std::memcpy(buf.data() + at, &v, sizeof(T));
  at += sizeof(T);
}

template <typename T>
T get(const std::vector<char>& buf, size_t& at) {
  T v;
  std::memcpy(&v, buf.data() + at, sizeof(T));
  at += sizeof(T);
  return v;
}

BaseDistribution compress_top_k(const float* logits, int64_t vocab, int64_t k, int64_t target) {
  const RowStats stats = row_stats(logits, vocab);
  k = std::min(k, vocab);
  std::vector<int32_t> order(vocab);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  BaseDistribution d;
  d.argmax = stats.argmax;
  d.ids.assign(order.begin(), order.begin() + k);
  double top_mass = 0;
  for (int32_t v : d.ids) {
    const double lp = log_prob(logits, stats, v);
    d.values.push_back(static_cast<float>(lp));
    top_mass += std::exp(lp);
  }
  // The tail mass summed directly (not 1 - top mass) keeps its relative precision when tiny.
  double tail = 0;
  for (int64_t i = k; i < vocab; ++i) tail += std::exp(log_prob(logits, stats, order[i]));
  d.tail_log_mass = tail > 0 ? std::log(tail) : -std::numeric_limits<double>::infinity();
  if (target >= 0) d.target_log_prob = log_prob(logits, stats, target);
  return d;
}

BaseDistribution compress_full_fp16(const float* logits, int64_t vocab, int64_t target) {
  const RowStats stats = row_stats(logits, vocab);
  BaseDistribution d;
  d.argmax = stats.argmax;
  d.values.resize(vocab);
  for (int64_t v = 0; v < vocab; ++v) {
    d.values[v] = half_to_float(float_to_half(static_cast<float>(log_prob(logits, stats, v))));
  }
  if (target >= 0) d.target_log_prob = log_prob(logits, stats, target);
  return d;
}

}  // namespace

int64_t CacheHeader::record_bytes() const {
  return format == CacheFormat::FullFp16 ? 12 + 2 * vocab : 16 + 8 * top_k;
}

std::string cache_format_name(CacheFormat f) { return f == CacheFormat::FullFp16 ? "full-fp16" : "topk"; }

CacheFormat parse_cache_format(const std::string& name) {
  if (name == "full-fp16") return CacheFormat::FullFp16;
  if (name == "topk") return CacheFormat::TopK;
  throw Error("unknown base cache format '" + name + "' (known: full-fp16, topk)");
}

BaseCacheWriter::BaseCacheWriter(const std::string& path, const CacheHeader& header)
    : path_(path), header_(header), out_(path, std::ios::binary | std::ios::trunc) {
  if (!out_) throw Error(path + ": cannot create the base-logits cache");
  nlohmann::json h = {{"format", cache_format_name(header.format)},
                      {"top_k", header.top_k},
                      {"vocab", header.vocab},
                      {"rows", header.rows},
                      {"fingerprints", header.fingerprints},
                      {"info", header.info}};
  const std::string text = h.dump();
  const uint32_t len = static_cast<uint32_t>(text.size());
  out_.write(kMagic, sizeof kMagic);
  out_.write(reinterpret_cast<const char*>(&kVersion), sizeof kVersion);
  out_.write(reinterpret_cast<const char*>(&len), sizeof len);
  out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  record_.resize(header_.record_bytes());
}

void BaseCacheWriter::write(const float* logits, int64_t target) {
  const int64_t vocab = header_.vocab;
  const BaseDistribution d = header_.format == CacheFormat::FullFp16
                                 ? compress_full_fp16(logits, vocab, target)
                                 : compress_top_k(logits, vocab, header_.top_k, target);
  size_t at = 0;
  put<int32_t>(record_, at, static_cast<int32_t>(d.argmax));
  put<double>(record_, at, d.target_log_prob);
  if (header_.format == CacheFormat::FullFp16) {
    for (float v : d.values) put<uint16_t>(record_, at, float_to_half(v));
  } else {
    put<float>(record_, at, static_cast<float>(d.tail_log_mass));
    for (int32_t id : d.ids) put<int32_t>(record_, at, id);
    for (float v : d.values) put<float>(record_, at, v);
  }
  out_.write(record_.data(), static_cast<std::streamsize>(record_.size()));
  ++written_;
}

void BaseCacheWriter::close() {
  out_.flush();
  if (!out_) throw Error(path_ + ": writing the base-logits cache failed");
  if (written_ != header_.rows) {
    throw Error(path_ + ": wrote " + std::to_string(written_) + " rows, the header promises " +
                std::to_string(header_.rows));
  }
  out_.close();
}

BaseCacheReader::BaseCacheReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) throw Error(path + ": cannot open the base-logits cache");
  char magic[8] = {};
  uint32_t version = 0, len = 0;
  in_.read(magic, sizeof magic);
  if (!in_ || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    throw Error(path + ": not an evalq base-logits cache (no EVALQBLC magic)");
  }
  in_.read(reinterpret_cast<char*>(&version), sizeof version);
  in_.read(reinterpret_cast<char*>(&len), sizeof len);
  if (!in_ || version != kVersion) {
    throw Error(path + ": base-logits cache version " + std::to_string(version) + ", this evalq reads version " +
                std::to_string(kVersion) + "; save the base again");
  }
  const uint64_t file_size = std::filesystem::file_size(path);
  if (len > file_size) throw Error(path + ": corrupt base-logits cache (header length beyond the file)");
  std::string text(len, '\0');
  in_.read(text.data(), len);
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(text);
    header_.format = parse_cache_format(h.at("format").get<std::string>());
    header_.top_k = h.at("top_k").get<int64_t>();
    header_.vocab = h.at("vocab").get<int64_t>();
    header_.rows = h.at("rows").get<int64_t>();
    header_.fingerprints = h.at("fingerprints");
    header_.info = h.at("info");
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": corrupt base-logits cache header (" + e.what() + ")");
  }
  if (header_.vocab <= 0 || header_.rows < 0 || header_.top_k < 0 ||
      (header_.format == CacheFormat::TopK && (header_.top_k == 0 || header_.top_k > header_.vocab))) {
    throw Error(path + ": corrupt base-logits cache header (vocab, rows or top_k out of range)");
  }
  const uint64_t expected = 16 + len + static_cast<uint64_t>(header_.rows) * header_.record_bytes();
  if (file_size != expected) {
    throw Error(path + ": corrupt base-logits cache: " + std::to_string(file_size) + " bytes, the header implies " +
                std::to_string(expected) + " (truncated or overwritten?)");
  }
  record_.resize(header_.record_bytes());
}

void BaseCacheReader::check_fingerprints(const nlohmann::json& expected) const {
  std::string diffs;
  for (const auto& [key, value] : expected.items()) {
    const auto it = header_.fingerprints.find(key);
    if (it == header_.fingerprints.end() || *it != value) {
      diffs += "\n  " + key + ": cache has " + (it == header_.fingerprints.end() ? "nothing" : it->dump()) +
               ", this run has " + value.dump();
    }
  }
  if (!diffs.empty()) {
    throw Error(path_ + ": the base-logits cache was made for other inputs; save the base again with this run's "
                "tokenizer, data and window options" + diffs);
  }
}

void BaseCacheReader::skip(int64_t rows) {
  if (rows < 0 || read_ + rows > header_.rows) {
    throw Error(path_ + ": read past the cache's " + std::to_string(header_.rows) + " rows");
  }
  in_.seekg(static_cast<std::streamoff>(rows) * header_.record_bytes(), std::ios::cur);
  if (!in_) throw Error(path_ + ": corrupt base-logits cache (seek to row " + std::to_string(read_ + rows) + " failed)");
  read_ += rows;
}

BaseDistribution BaseCacheReader::next() {
  if (read_ >= header_.rows) throw Error(path_ + ": read past the cache's " + std::to_string(header_.rows) + " rows");
  in_.read(record_.data(), static_cast<std::streamsize>(record_.size()));
  if (!in_) throw Error(path_ + ": corrupt base-logits cache (short read at row " + std::to_string(read_) + ")");
  ++read_;
  size_t at = 0;
  BaseDistribution d;
  d.argmax = get<int32_t>(record_, at);
  d.target_log_prob = get<double>(record_, at);
  if (header_.format == CacheFormat::FullFp16) {
    d.values.resize(header_.vocab);
    for (auto& v : d.values) v = half_to_float(get<uint16_t>(record_, at));
  } else {
    d.tail_log_mass = get<float>(record_, at);
    d.ids.resize(header_.top_k);
    d.values.resize(header_.top_k);
    for (auto& id : d.ids) {
      id = get<int32_t>(record_, at);
      if (id < 0 || id >= header_.vocab) throw Error(path_ + ": corrupt base-logits cache (token id out of range)");
    }
    for (auto& v : d.values) v = get<float>(record_, at);
  }
  if (d.argmax < 0 || d.argmax >= header_.vocab) throw Error(path_ + ": corrupt base-logits cache (argmax out of range)");
  return d;
}

}  // namespace evalq
