#include "fs/manifest_cache.h"

#include "store/database_catalog.h"

namespace talaria::fs {

core::Result<std::shared_ptr<const ManifestView>> ManifestCache::Get(const core::ObjectId& id) {
  {
    core::MutexLock lock(&mu_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it) {
      if ((*it)->id == id) {
        lru_.splice(lru_.begin(), lru_, it);
        return lru_.front();
      }
    }
  }
  // Decoded outside the lock; two threads may both decode, which is harmless.
  TALARIA_ASSIGN_OR_RETURN(store::DatabaseManifest manifest, store::LoadManifest(*store_, id));
  auto view = std::make_shared<ManifestView>();
  view->id = id;
  view->manifest = std::move(manifest);
  for (uint32_t i = 0; i < view->manifest.chunks.size(); i++) {
    view->taxon_chunks[view->manifest.chunks[i].taxon].push_back(i);
  }
  core::MutexLock lock(&mu_);
  lru_.push_front(view);
  while (lru_.size() > capacity_) lru_.pop_back();
  return std::shared_ptr<const ManifestView>(std::move(view));
}

}  // namespace talaria::fs
