#pragma once

// Runs fn(i) for i in [0, n) on up to `threads` threads (the caller's
// thread is one of them) and returns when all are done. Work is handed out
// one index at a time, so uneven items balance. fn must be thread-safe.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace talaria::core {

template <class Fn>
void ParallelFor(size_t n, unsigned threads, Fn&& fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  };
  size_t extra = std::min<size_t>(threads > 0 ? threads - 1 : 0, n > 0 ? n - 1 : 0);
  std::vector<std::jthread> pool;
  pool.reserve(extra);
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
}

}  // namespace talaria::core
