#pragma once

// A fixed set of worker threads that live as long as the pool, so that
// per-thread state (codec contexts, scratch buffers) survives from one
// batch of work to the next.
//
// Thread-safe.

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "store/core/mutex.h"

namespace talaria::core {

class ThreadPool {
 public:
  explicit ThreadPool(unsigned workers) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~ThreadPool() {
    {
      MutexLock lock(&mu_);
      stop_ = true;
    }
    wake_.SignalAll();
    threads_.clear();  // joins
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(threads_.size()); }

  // Queues `job` for the next free worker. Jobs run in the order queued;
  // the destructor runs every job already queued, then joins the workers.
  void Submit(std::function<void()> job) EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      queue_.push_back(std::move(job));
    }
    wake_.Signal();
  }

 private:
  void Work() EXCLUDES(mu_) {
    for (;;) {
      std::function<void()> job;
      {
        MutexLock lock(&mu_);
        while (!stop_ && queue_.empty()) wake_.Wait();
        if (queue_.empty()) return;  // stopping
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  Mutex mu_;
  CondVar wake_{&mu_};
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::jthread> threads_;  // set in the constructor, cleared in the destructor
};

}  // namespace talaria::core
