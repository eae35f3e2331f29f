#pragma once

// The catalogue (database versions and reduction profiles) as an object.
// Every change to the `databases` or `reductions` table (an ingest
// publishing, db rm, reduce, reduction rm) first stores a snapshot of the whole
// catalogue — each version with its manifest, ingest time and order — with
// a generation number one higher than the last, and records it in `meta`
// in the same transaction as the change. `index rebuild` restores the
// snapshot of the highest generation found in the packs, so ingest times
// and `current` survive the loss of the index. gc keeps the recorded one.
//
// Thread-safe (as the ObjectStore).

#include <cstdint>
#include <optional>
#include <vector>

#include "index/entries.h"
#include "store/core/object_id.h"
#include "store/object/writable_store.h"

namespace talaria::index {
class WriteTxn;
}  // namespace talaria::index

namespace talaria::store {

inline constexpr char kCatalogFormat[] = "talaria-catalog/1";

struct CatalogSnapshot {
  uint64_t generation = 0;
  std::vector<index::DatabaseVersion> versions;
  std::vector<std::pair<std::string, index::ReductionEntry>> reductions;  // by profile
};

// Stores a snapshot of `versions` and `reductions` with the next generation;
// returns its id and generation.
core::Result<std::pair<core::ObjectId, uint64_t>> PutCatalogSnapshot(
    WritableStore& store, const std::vector<index::DatabaseVersion>& versions,
    const std::vector<std::pair<std::string, index::ReductionEntry>>& reductions);
// The same with the reduction profiles the index holds now.
core::Result<std::pair<core::ObjectId, uint64_t>> PutCatalogSnapshot(
    WritableStore& store, const std::vector<index::DatabaseVersion>& versions);

// Records the snapshot as the current one (inside the change's transaction).
core::Status RecordCatalogSnapshot(WritableStore& store, index::WriteTxn& txn,
                                   const core::ObjectId& id, uint64_t generation);

// The recorded snapshot's id, if any (a gc root).
core::Result<std::optional<core::ObjectId>> CurrentCatalogSnapshot(ObjectStore& store);

// Parses a snapshot object; nullopt if the bytes are not one.
std::optional<CatalogSnapshot> DecodeCatalogSnapshot(std::string_view bytes);

}  // namespace talaria::store
