#pragma once

// Decoded database manifests for the daemon, with each taxon's ranges of
// the manifest's chunks (store::TaxonRanges). Manifests are immutable objects, so an entry never
// goes stale; the cache only bounds how many stay decoded (least recently used first out).
//
// Thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "store/catalog/manifest.h"
#include "store/core/lru_cache.h"
#include "store/core/object_id.h"
#include "store/object/object_store.h"

namespace talaria::fs {

struct ManifestView {
  core::ObjectId id;
  store::DatabaseManifest manifest;
  // taxon -> its records' ranges of manifest.chunks, in manifest order.
  std::map<store::TaxonId, std::vector<store::ChunkRange>> taxon_ranges;
};

class ManifestCache {
 public:
  ManifestCache(store::ObjectStore* store, size_t capacity) : store_(store), lru_(capacity) {}

  core::Result<std::shared_ptr<const ManifestView>> Get(const core::ObjectId& id);

 private:
  store::ObjectStore* const store_;
  core::LruCache<core::ObjectId, ManifestView> lru_;  // charged 1 per manifest
};

}  // namespace talaria::fs
