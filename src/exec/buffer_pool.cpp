#include "exec/buffer_pool.h"

#include "core/tensor_memory.h"

#include <cstdlib>

namespace evalq {

struct BufferPool::State {
  struct Cached {
    void* ptr;
    uint64_t epoch;
  };
  mutable std::mutex mutex;
  std::multimap<size_t, Cached> free;
  uint64_t epoch = 0;
  size_t cached = 0;

  ~State() {
    for (auto& [_, c] : free) std::free(c.ptr);
  }
};

BufferPool::BufferPool() : state_(std::make_shared<State>()) {}

std::shared_ptr<void> BufferPool::acquire(size_t bytes) {
  const size_t rounded = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
  void* p = nullptr;
  {
    std::lock_guard lock(state_->mutex);
    auto it = state_->free.find(rounded);
    if (it != state_->free.end()) {
      p = it->second.ptr;
      state_->free.erase(it);
      state_->cached -= rounded;
    }
  }
  if (!p) p = allocate_tensor_memory(rounded);
  // The deleter holds the state, so buffers outliving the pool (returned tensors) stay valid.
  std::weak_ptr<State> weak = state_;
  return std::shared_ptr<void>(p, [weak, rounded](void* q) {
    if (auto state = weak.lock()) {
      std::lock_guard lock(state->mutex);
      state->free.emplace(rounded, State::Cached{q, state->epoch});
      state->cached += rounded;
      return;
    }
    std::free(q);
  });
}

void BufferPool::end_run() {
  std::lock_guard lock(state_->mutex);
  for (auto it = state_->free.begin(); it != state_->free.end();) {
    if (it->second.epoch + 1 < state_->epoch) {
      std::free(it->second.ptr);
      state_->cached -= it->first;
      it = state_->free.erase(it);
    } else {
      ++it;
    }
  }
  ++state_->epoch;
}

size_t BufferPool::cached_bytes() const {
  std::lock_guard lock(state_->mutex);
  return state_->cached;
}

}  // namespace evalq
