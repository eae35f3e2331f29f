#pragma once

// Garbage collection (docs/FORMAT.md §6.4): keeps the given roots and every object
// their delta chains need, drops every other object from the index, and
// rewrites packs whose live fraction falls below the repack threshold so
// their dead bytes go back to the file system, and then the packs with the
// most dead bytes until what stays dead is under max_unused of the store. Pack files no index entry
// points to (left by an interrupted gc) are removed too.
//
// Crash-safe: live records are copied and committed to the index before an
// old pack is unlinked; a reader that still has an old pack open keeps
// reading it, and one that looks an object up again finds its new home.
//
// Needs a writable store. Thread-safe (as the ObjectStore).

#include <cstdint>
#include <string>
#include <vector>

#include "store/core/object_id.h"
#include "store/object/writable_store.h"

namespace talaria::store {

struct GcOptions {
  bool dry_run = false;           // compute everything, change nothing
  double repack_threshold = 0.5;  // rewrite packs whose live fraction is below this
  // Then rewrite the packs with the most dead bytes until at most this
  // fraction of the store's pack bytes is dead (so removing one of two
  // versions gives its bytes back even when each pack stays half live).
  double max_unused = 0.05;
};

struct GcResult {
  uint64_t objects_before = 0;
  uint64_t objects_removed = 0;
  uint64_t bytes_removed = 0;                 // pack bytes that removed objects occupied
  uint64_t packs_repacked = 0;                // packs rewritten or deleted
  uint64_t bytes_rewritten = 0;               // live bytes copied to new packs
  uint64_t bytes_reclaimed = 0;               // pack file bytes given back to the file system
  std::vector<core::ObjectId> missing_roots;  // roots that are not in the store
  std::vector<std::string> problems;          // packs left alone because they are damaged
  std::vector<core::ObjectId> moved;          // live objects copied to a new pack
};

core::Result<GcResult> CollectGarbage(WritableStore& store,
                                      const std::vector<core::ObjectId>& roots,
                                      const GcOptions& options);

}  // namespace talaria::store
