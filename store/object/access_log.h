#pragma once

// Which chunks readers use, carried from talariafs to maintenance. The
// daemon opens a store read-only (it must not take the writer lock from the
// admin), so it cannot count reads in the index; it counts them in memory
// and now and then writes what it counted since the last time to a file of
// its own, <store>/access/<pid>-<n>.counts (one "<hex id>\t<count>" per
// line, written atomically). A writer of the store folds those files into
// the chunk table's access counts and removes them
// (store/maintenance/access_fold.h). Counts are a hint for
// optimize: a crash between folding a file and removing it counts it twice.

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/core/mutex.h"
#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/core/store_paths.h"

namespace talaria::store {

using AccessCounts = std::unordered_map<core::ObjectId, uint64_t>;

// Counts reads in memory. Thread-safe; the counts are split into shards by
// id so that the daemon's reader threads rarely wait for each other.
class AccessRecorder {
 public:
  explicit AccessRecorder(StorePaths paths) : paths_(std::move(paths)) {}

  void Record(const core::ObjectId& id);
  // Writes the counts gathered since the last Flush to a new file and starts
  // counting afresh (a no-op when there is nothing to write). On failure the
  // counts are kept for the next try.
  core::Status Flush();

 private:
  struct Shard {
    core::Mutex mu;
    AccessCounts counts GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 16;

  const StorePaths paths_;
  std::array<Shard, kShards> shards_;
  core::Mutex flush_mu_;  // one Flush at a time
  uint64_t files_written_ GUARDED_BY(flush_mu_) = 0;
};

// The counts in files not folded yet, and those files. Malformed lines are
// skipped (a hint, not data); an unreadable directory is an error.
struct PendingCounts {
  AccessCounts counts;
  std::vector<std::string> files;
};
core::Result<PendingCounts> ReadPendingAccess(const StorePaths& paths);
core::Result<AccessCounts> PendingAccess(const StorePaths& paths);

}  // namespace talaria::store
