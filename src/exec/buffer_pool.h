#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace evalq {

// Recycles activation buffers between nodes and between runs: a tensor's buffer comes back here
// when its last handle is dropped (after the value's last use) and is handed out again for a
// tensor of the same byte size. Runs with the same shapes therefore allocate nothing after the
// first; buffers left idle for two runs (a shape no longer in use) are freed.
class BufferPool {
 public:
  BufferPool();
  std::shared_ptr<void> acquire(size_t bytes);
  // Marks the end of a run: frees buffers that no run since the previous call has reused.
  void end_run();
  size_t cached_bytes() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace evalq
