#pragma once

// Chooses the delta base of each new chunk of an ingest: the chunk of the
// same taxon in the database's previous version that shares the most record
// ids with it. The choice is deterministic: a tie goes to the chunk listed
// first in the previous manifest, and a chunk sharing no id takes the
// previous chunk at its own position in the taxon (or the taxon's last).
// There is no base for a taxon the previous version lacks, nor at all
// without a previous version. A taxon's candidates are read only when it has
// more than one; the record ids of about 8 million records (about 0.5 GB)
// are kept, and past that forgotten and read again as needed.
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

 private:
  using OwnerMap = std::unordered_map<std::string, uint32_t>;

  // At most this many record ids are remembered (about 0.5 GB); past it the
  // maps are dropped and rebuilt for the taxa that come up again.
  static constexpr size_t kMaxRememberedIds = 8'000'000;

  // Record id -> index in `candidates`, the chunks of `taxon`.
  core::Result<OwnerMap*> Owners(TaxonId taxon, const std::vector<core::ObjectId>& candidates);

  WritableStore& store_;
  std::map<TaxonId, std::vector<core::ObjectId>> by_taxon_;
  std::map<TaxonId, OwnerMap> owners_;
  size_t remembered_ = 0;
};

}  // namespace talaria::store
