#pragma once

// Chunk metadata (docs/FORMAT.md §5.6): `chunks` maps a chunk id to what it holds and
// how it is used; `taxon_chunks` (dupsort) maps a stream key (a taxid, or
// kSharedStream for chunks shared by small taxa) to its chunks. Both cover the chunks of every
// registered database version. Compressed size and ratio come from the `objects` table.
// Thread-compatible.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "index/entries.h"
#include "index/lmdb_txn.h"
#include "store/core/object_id.h"
#include "store/core/status.h"

namespace talaria::index {

class ChunkTable {
 public:
  ChunkTable(MDB_dbi chunks, MDB_dbi taxon_chunks) : chunks_(chunks), taxon_chunks_(taxon_chunks) {}

  // Adds (or updates, keeping access counts) a chunk and its entry under
  // its stream's key (meta.taxon).
  core::Status Add(WriteTxn& txn, const core::ObjectId& id, const ChunkMeta& meta) const;
  // Removes a chunk and its stream entry; absent chunks are fine.
  core::Status Remove(WriteTxn& txn, const core::ObjectId& id) const;
  core::Result<std::optional<ChunkMeta>> Get(const Txn& txn, const core::ObjectId& id) const;
  core::Result<std::vector<core::ObjectId>> FindByTaxon(const Txn& txn, uint32_t taxon) const;
  core::Result<std::vector<core::ObjectId>> FindByTaxa(const Txn& txn,
                                                       const std::vector<uint32_t>& taxa) const;
  core::Status ForEach(
      const Txn& txn,
      const std::function<core::Status(const core::ObjectId&, const ChunkMeta&)>& fn) const;
  // Counts `count` more reads of the chunk, the last one at `now_unix_s`.
  core::Status RecordAccess(WriteTxn& txn, const core::ObjectId& id, uint64_t now_unix_s,
                            uint64_t count = 1) const;

 private:
  core::Status RemoveTaxonEntry(WriteTxn& txn, uint32_t taxon, const core::ObjectId& id) const;

  MDB_dbi chunks_;
  MDB_dbi taxon_chunks_;
};

}  // namespace talaria::index
