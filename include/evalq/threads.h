#pragma once

namespace evalq {

// Worker threads for both TBB and OpenBLAS; 0 means all cores. Call before running models.
void set_num_threads(int threads);
int num_threads();

}  // namespace evalq
