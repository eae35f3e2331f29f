#pragma once

// Chooses the delta base of each new chunk of an ingest: among the chunks
// of the database's previous version that hold records of the new chunk's
// taxa (its stream's taxon, or the small taxa of a shared chunk), the one
// that shares the most record ids with it. The choice is deterministic: a
// tie goes to the chunk listed first in the previous manifest, and a chunk
// sharing no id takes the candidate at its own position in its stream (or
// the last). There is no base when the previous version has none of the
// taxa, nor at all without a previous version. Candidates are read only
// when there is more than one; the record ids of about 8 million records
// (about 0.5 GB) are kept, and past that forgotten and read again as needed.
//
// Failure: Choose() returns the store's error for a candidate it cannot read.
// Thread-compatible: one thread at a time calls Choose(); `store` must
// outlive the chooser.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/catalog/manifest.h"
#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/fasta/chunker.h"
#include "store/fasta/taxon_parser.h"
#include "store/object/writable_store.h"

namespace talaria::store {

class BaseChooser {
 public:
  // `previous` may be null (no chunk then gets a base); it is not kept.
  BaseChooser(WritableStore& store, const DatabaseManifest* previous);

  // The base for `chunk`, or nullopt when there is none.
  core::Result<std::optional<core::ObjectId>> Choose(const ClosedChunk& chunk);

  // What the remembered record ids may take at most (kMaxRememberedIds of
  // them), for an ingest's memory budget.
  static constexpr uint64_t kMemoryBytes = uint64_t{512} << 20;

 private:
  // At most this many record ids are remembered (about 0.5 GB); past it the
  // map is dropped and rebuilt for the chunks that come up again.
  static constexpr size_t kMaxRememberedIds = 8'000'000;

  // Reads the record ids of previous chunk `chunk` into owners_.
  core::Status Remember(uint32_t chunk);

  WritableStore& store_;
  std::vector<core::ObjectId> previous_;               // the previous manifest's chunks
  std::map<TaxonId, std::vector<uint32_t>> by_taxon_;  // primary taxon -> chunks, ascending
  std::unordered_map<std::string, uint32_t> owners_;   // record id -> first previous chunk
  std::vector<bool> remembered_chunk_;
  size_t remembered_ = 0;
};

}  // namespace talaria::store
