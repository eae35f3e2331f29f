#pragma once

// Rewriting packs (docs/FORMAT.md §6.4): the records of a pack that the index still
// points to are copied into the writer's pack and, in the same index commit,
// their entries move there; then the old file is removed. What gc and
// optimize use to give dead bytes back to the file system.
//
// Crash-safe: an old pack is unlinked only after its live records are
// committed elsewhere; a reader that still has it open keeps reading it, and
// one that looks an object up again finds its new home. A pack file the
// index no longer knows (an interrupted repack) is removed by the next gc.
//
// Need a writable store. Thread-safe (as the ObjectStore).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/object/writable_store.h"

namespace talaria::store {

// One pack as the index sees it.
struct PackUsage {
  uint64_t committed = 0;        // bytes of the pack the index vouches for
  uint64_t live_bytes = 0;       // records of indexed objects
  std::vector<ObjectInfo> live;  // those objects
};

// Every pack the index knows, with its indexed objects.
core::Result<std::map<uint64_t, PackUsage>> IndexedPackUsage(ObjectStore& store);

struct RepackStats {
  uint64_t packs_repacked = 0;
  uint64_t bytes_rewritten = 0;       // live record bytes copied
  uint64_t bytes_removed = 0;         // size of the pack files removed
  std::vector<core::ObjectId> moved;  // objects whose records were copied
  std::vector<uint64_t> skipped;      // packs left alone (no room, or damaged)
  std::vector<std::string> problems;  // why, one line each, for damaged packs
};

// Records in pack files that hold an object whose indexed copy is elsewhere:
// the old copies a rewrite (optimize) leaves behind, until a repack drops them.
struct SupersededCopies {
  uint64_t copies = 0;
  uint64_t bytes = 0;           // their records
  std::vector<uint64_t> packs;  // the indexed packs that hold any
};
// Scans only packs with dead bytes (file larger than its live records).
core::Result<SupersededCopies> FindSupersededCopies(ObjectStore& store,
                                                    const std::map<uint64_t, PackUsage>& usage);

// Repacks each of `packs`. The writer's current pack is sealed first when it
// is listed (and left alone, in `skipped`, when the disk has no room to copy
// its live records). A pack with a damaged record is left in place and
// named in `problems`; the others still go ahead.
core::Status RepackPacks(WritableStore& store, const std::vector<uint64_t>& packs,
                         RepackStats* stats);

// Removes a pack file the index no longer points into; adds its size to
// `*removed_bytes`.
core::Status RemovePackFile(WritableStore& store, uint64_t pack, uint64_t* removed_bytes);

// Whether the store's file system has room to copy `bytes` of records (with
// a margin for a pack header and the index).
bool RoomFor(ObjectStore& store, uint64_t bytes);

}  // namespace talaria::store
