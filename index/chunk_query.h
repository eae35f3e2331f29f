#pragma once

// ChunkQuery (DESIGN §5): chunks selected by taxa, size, whether they are
// stored as a delta against a reference chunk, ordered by id or by access,
// limited. Runs on the `chunks`, `taxon_chunks` and `objects` tables.
// Thread-compatible.

#include <cstdint>
#include <optional>
#include <vector>

#include "index/chunk_table.h"
#include "index/object_table.h"

namespace talaria::index {

struct ChunkQuery {
  std::vector<uint32_t> taxa;  // empty: every taxon
  std::optional<uint64_t> min_bytes;
  std::optional<uint64_t> max_bytes;
  std::optional<bool> has_reference;  // stored as a byte delta against another chunk
  size_t limit = 0;                   // 0: no limit
  bool order_by_access = false;       // most read first; else by id
};

struct ChunkHit {
  core::ObjectId id;
  ChunkMeta meta;
  uint64_t stored_bytes = 0;
  core::ObjectId reference;  // the delta base, zero if stored whole
};

core::Result<std::vector<ChunkHit>> RunChunkQuery(const Txn& txn, const ChunkTable& chunks,
                                                  const ObjectTable& objects,
                                                  const ChunkQuery& query);

}  // namespace talaria::index
