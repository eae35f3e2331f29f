#pragma once

// Recreates a store's index from its pack files alone (docs/FORMAT.md §6.5): every
// intact record becomes an object entry (an intact copy wins over a damaged
// one), every pack's committed length becomes the end of its last intact
// record; the database catalogue comes back from the newest catalogue
// snapshot object (store/catalog/catalog_snapshot.h) and the chunk index from the
// manifests it names. The new index is built beside the old one and swapped in by
// rename, so a crash leaves either the old index or the new.
//
// Takes the store's writer lock; readers (mounts) should be stopped first,
// as they keep the old index open.

#include <cstdint>
#include <string>
#include <vector>

#include "store/core/status.h"

namespace talaria::store {

struct RebuildResult {
  uint64_t packs = 0;
  uint64_t records = 0;
  uint64_t objects = 0;
  uint64_t duplicates = 0;  // records of an id already indexed
  uint64_t damaged = 0;     // records whose payload checksum fails (indexed if no better copy)
  uint64_t database_versions = 0;  // restored from the newest catalogue snapshot
  std::vector<std::string> problems;
};

core::Result<RebuildResult> RebuildIndex(const std::string& root);

}  // namespace talaria::store
