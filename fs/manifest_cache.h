#pragma once

// Database manifests as the daemon reads them: the root at once, the rest
// on demand. For a paged manifest (format 3) a by-taxon lookup reads one
// taxon directory page and the chunk pages holding that taxon's records,
// never the whole manifest; a source file's layout still needs every chunk
// row, read once per manifest and kept with it. Manifests of formats 1/2
// are decoded whole. Manifests and pages are immutable objects, so nothing
// goes stale; the caches only bound how many stay decoded (least recently
// used first out).
//
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "fs/chunk_sequence.h"
#include "store/catalog/manifest.h"
#include "store/catalog/manifest_pages.h"
#include "store/core/lru_cache.h"
#include "store/core/mutex.h"
#include "store/core/object_id.h"
#include "store/object/object_store.h"

namespace talaria::fs {

// Decoded pages shared by every manifest of a mount (an unchanged page is
// the same object in every version that has it).
struct ManifestPageCache {
  explicit ManifestPageCache(size_t pages) : chunk_pages(pages), taxon_pages(pages) {}
  core::LruCache<core::ObjectId, std::vector<store::ManifestChunk>> chunk_pages;  // 1 per page
  core::LruCache<core::ObjectId, std::vector<store::TaxonEntry>> taxon_pages;     // 1 per page
  std::atomic<uint64_t> pages_read{0};  // pages fetched and decoded (chunk and taxon)
};

// What a by-taxon file is made of: ranges of `objects` (ChunkRange::chunk
// indexes `objects`), one after another.
struct TaxonFile {
  std::vector<ChunkSequence::Object> objects;
  std::vector<store::ChunkRange> ranges;
};

class ManifestView {
 public:
  ManifestView(store::ObjectStore* store, ManifestPageCache* pages, core::ObjectId id,
               store::DatabaseManifest root);

  const core::ObjectId& id() const { return id_; }
  // Everything but the chunk rows of a paged manifest (sources, layouts, pages).
  const store::DatabaseManifest& root() const { return root_; }

  // Every chunk row, in manifest order (a paged manifest's read once, then kept).
  core::Result<std::shared_ptr<const std::vector<store::ManifestChunk>>> Chunks() const;
  // The size of `taxon`'s by-taxon file; nullopt when no record is of it.
  core::Result<std::optional<uint64_t>> TaxonBytes(store::TaxonId taxon) const;
  // Every taxon with records in this version, ascending.
  core::Result<std::vector<store::TaxonId>> Taxa() const;
  // The records of `taxa`, each byte once, in manifest order. For one taxon
  // these are its pieces in manifest order (TaxonRanges); kCorruption when
  // they do not add up to what the directory says.
  core::Result<TaxonFile> FileOf(const std::vector<store::TaxonId>& taxa) const;

 private:
  // The directory entry of `taxon` (paged manifests only).
  core::Result<std::optional<store::TaxonEntry>> Entry(store::TaxonId taxon) const;
  core::Result<std::shared_ptr<const std::vector<store::ManifestChunk>>> ChunkPage(
      uint32_t page) const;

  store::ObjectStore* const store_;
  ManifestPageCache* const pages_;
  const core::ObjectId id_;
  const store::DatabaseManifest root_;
  std::vector<uint64_t> page_first_row_;  // paged: global index of each chunk page's first row
  // Formats 1/2: each taxon's ranges of root_.chunks (store::TaxonRanges).
  std::map<store::TaxonId, std::vector<store::ChunkRange>> taxon_ranges_;
  mutable core::Mutex mu_;
  mutable std::shared_ptr<const std::vector<store::ManifestChunk>> all_chunks_ GUARDED_BY(mu_);
};

class ManifestCache {
 public:
  ManifestCache(store::ObjectStore* store, size_t capacity)
      : store_(store), lru_(capacity), pages_(kPages) {}

  core::Result<std::shared_ptr<const ManifestView>> Get(const core::ObjectId& id);
  // Manifest pages fetched and decoded so far.
  uint64_t pages_read() const { return pages_.pages_read.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kPages = 64;  // decoded pages of each kind kept (~100 KB each)

  store::ObjectStore* const store_;
  core::LruCache<core::ObjectId, ManifestView> lru_;  // charged 1 per manifest
  ManifestPageCache pages_;
};

}  // namespace talaria::fs
