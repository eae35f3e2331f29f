#pragma once

// The store-wide writer lock: an exclusive flock(2) on <store>/writer.lock,
// held for the life of the object. Only one process writes a store at a
// time; readers never take it. The kernel drops it if the process dies.
// Thread-compatible.

#include <string>

#include "store/core/status.h"
#include "store/core/unique_fd.h"

namespace talaria::store {

class WriterLock {
 public:
  // With wait = false, kBusy when another process holds the lock; with
  // wait = true, blocks until it is free (after logging that it waits).
  static core::Result<WriterLock> Acquire(const std::string& path, bool wait);

 private:
  explicit WriterLock(core::UniqueFd fd) : fd_(std::move(fd)) {}
  core::UniqueFd fd_;
};

}  // namespace talaria::store
