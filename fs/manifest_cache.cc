#include "fs/manifest_cache.h"

#include "store/catalog/database_catalog.h"

namespace talaria::fs {

core::Result<std::shared_ptr<const ManifestView>> ManifestCache::Get(const core::ObjectId& id) {
  if (auto cached = lru_.Lookup(id)) return cached;
  // Decoded outside the lock; two threads may both decode, which is harmless.
  TALARIA_ASSIGN_OR_RETURN(store::DatabaseManifest manifest, store::LoadManifest(*store_, id));
  auto view = std::make_shared<ManifestView>();
  view->id = id;
  view->manifest = std::move(manifest);
  view->taxon_ranges = store::TaxonRanges(view->manifest);
  std::shared_ptr<const ManifestView> shared = std::move(view);
  lru_.Insert(id, shared, 1);
  return shared;
}

}  // namespace talaria::fs
