#pragma once

// The values the index stores, as plain structs: what a caller gets back from
// a table, with no LMDB in sight (docs/FORMAT.md §5 gives their encodings).
// Thread-compatible values.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/core/object_id.h"

namespace talaria::index {

struct ObjectEntry {
  uint64_t pack = 0;        // pack number
  uint64_t offset = 0;      // offset of the record header in the pack
  uint64_t record_len = 0;  // record header + frame
  uint8_t kind = 0;         // store::ObjectKind
  uint8_t codec = 0;        // store::CodecType of the frame
  uint8_t depth = 0;        // delta chain length: 0 = stored whole
  uint64_t raw_len = 0;     // reconstructed size
  uint64_t stored_len = 0;  // bytes the frame payload takes on disk
  // The delta base, or the dictionary the frame uses (dictionary true);
  // zero for an object stored whole without a dictionary.
  core::ObjectId base;
  bool dictionary = false;

  bool is_delta() const { return !base.IsZero() && !dictionary; }
  bool operator==(const ObjectEntry&) const = default;
};

struct PackEntry {
  uint64_t committed_len = 0;
  uint64_t records = 0;
  bool operator==(const PackEntry&) const = default;
};

struct ChunkMeta {
  uint32_t taxon = 0;
  uint64_t records = 0;
  uint64_t residues = 0;
  uint64_t raw_bytes = 0;
  uint64_t access_count = 0;
  uint64_t last_access_unix_s = 0;
  bool operator==(const ChunkMeta&) const = default;
};

struct TaxonNode {
  uint32_t taxid = 0;
  uint32_t parent = 0;  // the root is its own parent (taxid 1 in NCBI)
  std::string rank;     // "species", "genus", "no rank" ...
  std::string name;     // scientific name
  bool operator==(const TaxonNode&) const = default;
};

struct DatabaseVersion {
  std::string name;
  std::string version;
  core::ObjectId manifest;
  uint64_t ingested_unix_s = 0;
  uint64_t sequence = 0;  // grows with every ingest across the store
  bool operator==(const DatabaseVersion&) const = default;
};

struct ReductionEntry {
  core::ObjectId manifest;
  uint64_t created_unix_s = 0;
  uint64_t elapsed_ms = 0;
  bool operator==(const ReductionEntry&) const = default;
};

struct ChunkQuery {
  std::vector<uint32_t> taxa;  // empty: every taxon
  // With `taxa`: chunks the caller knows hold records of them besides the
  // ones the index lists under them (chunks shared by small taxa).
  std::vector<core::ObjectId> also;
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

}  // namespace talaria::index
