#pragma once

// The read face of a store's catalogue, for fs/ and tools/: databases and
// their versions, the taxonomy, chunks by taxon, reduction profiles and the
// object listing, as plain values. Each call reads one fresh snapshot of the
// index and ends it before returning, so an answer is as of the call and no
// LMDB handle or type reaches the caller (docs/ARCHITECTURE.md "Parts").
// Errors: what the index reports (kCorruption for an undecodable entry,
// kIoError for LMDB failures); "not there" is an empty optional, not an error.
// Thread-safe: calls may run on any thread at once.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "store/core/object_id.h"
#include "store/core/status.h"

namespace talaria::store {

class ObjectStore;

using DatabaseVersion = index::DatabaseVersion;
using TaxonNode = index::TaxonNode;
using ReductionEntry = index::ReductionEntry;
using ObjectEntry = index::ObjectEntry;
using ChunkQuery = index::ChunkQuery;
using ChunkHit = index::ChunkHit;

class CatalogView {
 public:
  // `store` must outlive the view.
  explicit CatalogView(ObjectStore& store) : store_(&store) {}

  // --- databases
  // Every registered version of every database, by name then version.
  core::Result<std::vector<DatabaseVersion>> AllVersions() const;
  // The versions of one database, oldest ingest first (empty if unknown).
  core::Result<std::vector<DatabaseVersion>> Versions(const std::string& db) const;
  core::Result<std::optional<DatabaseVersion>> Version(const std::string& db,
                                                       const std::string& version) const;
  // The version `current` points at: the most recent ingest.
  core::Result<std::optional<DatabaseVersion>> Current(const std::string& db) const;
  // The current version of every database, by name.
  core::Result<std::vector<DatabaseVersion>> CurrentVersions() const;

  // --- taxonomy
  core::Result<std::optional<TaxonNode>> Taxon(uint32_t taxid) const;
  // The taxon and every descendant, taxid first (just {taxid} without a tree).
  core::Result<std::vector<uint32_t>> Subtree(uint32_t taxid) const;
  // From the taxon up to the root; empty if the taxon is not in the tree.
  core::Result<std::vector<TaxonNode>> Lineage(uint32_t taxid) const;
  // Taxa in the loaded tree (0: none loaded).
  core::Result<size_t> TaxonCount() const;
  // Changes whenever a taxonomy is loaded (0: never).
  core::Result<uint64_t> TaxonomyGeneration() const;

  // --- chunks
  // Chunks of any stored version holding records of `taxid`, by id (reads
  // the versions' manifests).
  core::Result<std::vector<core::ObjectId>> ChunksOfTaxon(uint32_t taxid) const;
  // With taxa, reads the versions' manifests too (chunks shared by small taxa).
  core::Result<std::vector<ChunkHit>> QueryChunks(const ChunkQuery& query) const;

  // --- reduction profiles
  core::Result<std::optional<ReductionEntry>> Reduction(const std::string& profile) const;
  core::Result<std::vector<std::pair<std::string, ReductionEntry>>> Reductions() const;

  // --- objects
  // Up to `limit` objects in id order, starting after `after` (from the first
  // without it): a listing of any size, one page at a time.
  core::Result<std::vector<std::pair<core::ObjectId, ObjectEntry>>> ObjectPage(
      const std::optional<core::ObjectId>& after, size_t limit) const;

 private:
  ObjectStore* store_;
};

}  // namespace talaria::store
