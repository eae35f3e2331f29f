#pragma once

// ChunkQuery: chunks selected by taxa, size, whether they are
// stored as a delta against a reference chunk, ordered by id or by access,
// limited. Runs on the `chunks`, `taxon_chunks` and `objects` tables.
// Thread-compatible.

#include <cstdint>
#include <optional>
#include <vector>

#include "index/chunk_table.h"
#include "index/entries.h"
#include "index/object_table.h"

namespace talaria::index {

core::Result<std::vector<ChunkHit>> RunChunkQuery(const Txn& txn, const ChunkTable& chunks,
                                                  const ObjectTable& objects,
                                                  const ChunkQuery& query);

}  // namespace talaria::index
