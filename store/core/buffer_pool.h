#pragma once

// Byte buffers handed back and forth between a producer and a consumer
// thread, so that big short-lived buffers keep their memory: a fresh
// allocation of a few hundred KiB is an mmap, and every page of it faults
// on first touch (expensive in a VM). Keeps at most `max_bytes` of
// capacity; beyond that, returned buffers are freed.
//
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/core/mutex.h"

namespace talaria::core {

class BufferPool {
 public:
  explicit BufferPool(size_t max_bytes) : max_bytes_(max_bytes) {}
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // An empty buffer, with at least `min_capacity` reserved: the smallest
  // held buffer that is big enough, else a held one grown, else a new one.
  // With `max_capacity`, only a held buffer of at most that capacity is
  // taken (a cache charged by capacity wastes nothing), else a new one.
  std::string Take(size_t min_capacity, size_t max_capacity = SIZE_MAX) {
    std::string s;
    {
      MutexLock lock(&mu_);
      size_t best = free_.size();
      for (size_t i = 0; i < free_.size(); i++) {
        const size_t cap = free_[i].capacity();
        if (cap >= min_capacity && cap <= max_capacity &&
            (best == free_.size() || cap < free_[best].capacity())) {
          best = i;
        }
      }
      const bool any = max_capacity == SIZE_MAX;
      if (best == free_.size() && !free_.empty() && any) best = free_.size() - 1;
      if (best < free_.size()) {
        s = std::move(free_[best]);
        free_[best] = std::move(free_.back());
        free_.pop_back();
        held_ -= s.capacity();
      }
    }
    s.clear();
    s.reserve(min_capacity);
    return s;
  }

  // Takes `s` back for reuse (its contents are dropped).
  void Give(std::string&& s) {
    MutexLock lock(&mu_);
    if (held_ + s.capacity() > max_bytes_) return;  // `s` is freed by its owner
    held_ += s.capacity();
    free_.push_back(std::move(s));
  }

 private:
  const size_t max_bytes_;
  Mutex mu_;
  std::vector<std::string> free_ GUARDED_BY(mu_);
  size_t held_ GUARDED_BY(mu_) = 0;
};

}  // namespace talaria::core
