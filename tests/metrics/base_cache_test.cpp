// Base-logits cache: round trip of both formats and refusal of damaged or foreign files.
#include <evalq/error.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>

#include "kld/base_logits_cache.h"
#include "test_support.h"

using namespace evalq;
namespace fs = std::filesystem;

namespace {

using evalq::test::error_of;

const float kRow[4] = {2.0f, -1.0f, 0.5f, 1.0f};

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("evalq_cache_" + name + "_" + std::to_string(::getpid()) + ".blc");
}

CacheHeader header(CacheFormat format) {
  CacheHeader h;
  h.format = format;
  h.top_k = format == CacheFormat::TopK ? 2 : 0;
  h.vocab = 4;
  h.rows = 2;
  h.fingerprints = {{"tokens_sha256", "abc"}, {"plan_sha256", "def"}};
  return h;
}

void write_cache(const fs::path& path, CacheFormat format) {
  BaseCacheWriter w(path.string(), header(format));
  w.write(kRow, 3);
  w.write(kRow, -1);
  w.close();
}

}  // namespace

TEST(BaseCache, TopKRoundTrip) {
  const fs::path path = temp_file("topk");
  write_cache(path, CacheFormat::TopK);
  BaseCacheReader r(path.string());
  EXPECT_EQ(r.header().top_k, 2);
  const BaseDistribution a = r.next();
  const double lse = std::log(std::exp(2.0) + std::exp(-1.0) + std::exp(0.5) + std::exp(1.0));
  ASSERT_EQ(a.ids.size(), 2u);
  EXPECT_EQ(a.ids[0], 0);
  EXPECT_EQ(a.ids[1], 3);
  EXPECT_NEAR(a.values[0], 2.0 - lse, 1e-6);
  EXPECT_NEAR(a.target_log_prob, 1.0 - lse, 1e-6);
  EXPECT_NEAR(std::exp(a.tail_log_mass), (std::exp(-1.0) + std::exp(0.5)) / std::exp(lse), 1e-6);
  EXPECT_EQ(a.argmax, 0);
  EXPECT_TRUE(std::isnan(r.next().target_log_prob));
  EXPECT_NE(error_of([&] { r.next(); }), "");
  EXPECT_NO_THROW(r.check_fingerprints({{"tokens_sha256", "abc"}}));
  const std::string msg = error_of([&] { r.check_fingerprints({{"plan_sha256", "xyz"}}); });
  EXPECT_NE(msg.find("plan_sha256"), std::string::npos) << msg;
  fs::remove(path);
}

TEST(BaseCache, FullFp16RoundTrip) {
  const fs::path path = temp_file("full");
  write_cache(path, CacheFormat::FullFp16);
  BaseCacheReader r(path.string());
  const BaseDistribution a = r.next();
  ASSERT_TRUE(a.full());
  const double lse = std::log(std::exp(2.0) + std::exp(-1.0) + std::exp(0.5) + std::exp(1.0));
  for (int v = 0; v < 4; ++v) EXPECT_NEAR(a.log_prob_at(v), kRow[v] - lse, 2e-3);  // fp16: 11-bit mantissa
  fs::remove(path);
}

TEST(BaseCache, RefusesDamagedFiles) {
  const fs::path path = temp_file("damaged");
  write_cache(path, CacheFormat::TopK);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write_bytes = [&](const std::string& b) { std::ofstream(path, std::ios::binary | std::ios::trunc) << b; };
  auto open_error = [&] { return error_of([&] { BaseCacheReader r(path.string()); }); };

  std::string bad = bytes;
  bad[0] = 'X';
  write_bytes(bad);
  EXPECT_NE(open_error().find("magic"), std::string::npos);

  bad = bytes;
  bad[8] = 9;  // version
  write_bytes(bad);
  EXPECT_NE(open_error().find("version"), std::string::npos);

  bad = bytes;
  bad[16] = '#';  // the JSON header
  write_bytes(bad);
  EXPECT_NE(open_error().find("corrupt"), std::string::npos);

  write_bytes(bytes.substr(0, bytes.size() - 1));  // truncated
  EXPECT_NE(open_error().find("truncated"), std::string::npos);

  write_bytes(bytes + "x");  // trailing garbage
  EXPECT_NE(open_error().find("corrupt"), std::string::npos);

  write_bytes("");
  EXPECT_NE(open_error(), "");
  fs::remove(path);
}

TEST(BaseCache, WriterChecksTheRowCount) {
  const fs::path path = temp_file("short");
  BaseCacheWriter w(path.string(), header(CacheFormat::TopK));
  w.write(kRow, 0);
  EXPECT_NE(error_of([&] { w.close(); }).find("promises"), std::string::npos);
  fs::remove(path);
}
