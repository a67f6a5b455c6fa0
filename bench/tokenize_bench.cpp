// Tokenizer throughput: encodes a text file with a tokenizer.json on one thread, a few times,
// and prints the best wall time (the first run also fills the word cache, so it is reported too).
#include <evalq/error.h>
#include <evalq/tokenizer.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: tokenize_bench TOKENIZER_JSON_OR_DIR TEXT_FILE [RUNS]\n";
    return 2;
  }
  try {
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) throw evalq::Error(std::string("cannot read ") + argv[2]);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    int runs = argc > 3 ? std::stoi(argv[3]) : 5;
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    evalq::Tokenizer tok = evalq::Tokenizer::load(argv[1]);
    double load_s = std::chrono::duration<double>(clock::now() - t0).count();
    double first = 0, best = 1e9;
    size_t count = 0;
    for (int r = 0; r < runs; ++r) {
      auto start = clock::now();
      count = tok.encode(text).size();
      double s = std::chrono::duration<double>(clock::now() - start).count();
      if (r == 0) first = s;
      best = std::min(best, s);
    }
    std::cout << "bytes " << text.size() << " tokens " << count << " load_s " << load_s << " first_s " << first
              << " best_s " << best << " MB/s " << text.size() / best / 1e6 << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tokenize_bench: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
