#pragma once

// What every C++ test suite needs: the paths CTest hands over in the environment (see
// tests/CMakeLists.txt, EVALQ_TEST_ENV), a file's bytes, and the message of the evalq::Error a call
// throws (tests assert on messages, since a clear message is part of the contract).
#include <evalq/error.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace evalq::test {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

inline std::filesystem::path shared_dir() { return env("EVALQ_SHARED_DIR"); }

// An empty folder SUITE/NAME under EVALQ_TEST_WORK (the temp folder outside CTest).
inline std::filesystem::path scratch_dir(const std::string& suite, const std::string& name) {
  const std::string work = env("EVALQ_TEST_WORK");
  const std::filesystem::path dir =
      std::filesystem::path(work.empty() ? std::filesystem::temp_directory_path().string() : work) / suite / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The message of the evalq::Error `f` throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace evalq::test
