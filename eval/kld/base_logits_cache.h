#pragma once

// The base-logits cache: the baseline's distribution at every compared position, written once by
// `evalq kld BASE ... --save-base FILE` and read by `--base FILE` for each candidate.
//
// File layout (little-endian):
//   char[8]  "EVALQBLC"
//   uint32   version (2)
//   uint32   header length H
//   char[H]  JSON header: format ("full-fp16" | "topk"), top_k, vocab, rows, and the fingerprints
//            (tokenizer, data text, token ids, window plan) a reader must match
//   rows     one record per compared position, in plan order:
//            int32 argmax, float64 log p(target) (NaN when the position has no target), then
//            full-fp16: uint16 fp16 log p(v) for v < vocab                  (12 + 2*vocab bytes)
//            topk:      float32 log tail mass, int32 id[K], float32 log p[K] (16 + 8*K bytes)
#include <cstdint>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "kld/divergence.h"

namespace evalq {

enum class CacheFormat { FullFp16, TopK };

struct CacheHeader {
  CacheFormat format = CacheFormat::TopK;
  int64_t top_k = 0;
  int64_t vocab = 0;
  int64_t rows = 0;
  nlohmann::json fingerprints = nlohmann::json::object();  // compared key by key on read
  nlohmann::json info = nlohmann::json::object();          // recorded, not compared (model path, ...)
  int64_t record_bytes() const;
};

std::string cache_format_name(CacheFormat f);
CacheFormat parse_cache_format(const std::string& name);

class BaseCacheWriter {
 public:
  BaseCacheWriter(const std::string& path, const CacheHeader& header);
  // The base row from exact logits (its first header.vocab entries) and target (-1 = none).
  void write(const float* logits, int64_t target);
  // Checks the row count and flushes; throws evalq::Error on a short or failed write.
  void close();

 private:
  std::string path_;
  CacheHeader header_;
  std::ofstream out_;
  int64_t written_ = 0;
  std::vector<char> record_;
};

class BaseCacheReader {
 public:
  // Throws evalq::Error naming the file when it is not a cache, of another version, or truncated.
  explicit BaseCacheReader(const std::string& path);
  const CacheHeader& header() const { return header_; }
  // Throws evalq::Error when `expected` differs from the file's fingerprints (naming each key).
  void check_fingerprints(const nlohmann::json& expected) const;
  BaseDistribution next();
  // Steps over `rows` records without decoding them (records have a fixed size).
  void skip(int64_t rows);

 private:
  std::string path_;
  CacheHeader header_;
  std::ifstream in_;
  int64_t read_ = 0;
  std::vector<char> record_;
};

}  // namespace evalq
