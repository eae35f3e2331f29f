#include "fs/content_cache.h"

namespace talaria::fs {

std::shared_ptr<const Content> ContentCache::Lookup(const std::string& key) {
  core::MutexLock lock(&mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->content;
}

void ContentCache::Insert(const std::string& key, std::shared_ptr<const Content> content) {
  const uint64_t bytes = content->footprint() + key.size();
  core::MutexLock lock(&mu_);
  if (map_.count(key) || bytes > capacity_) return;
  lru_.push_front({key, std::move(content), bytes});
  map_[key] = lru_.begin();
  bytes_ += bytes;
  while (bytes_ > capacity_) {
    bytes_ -= lru_.back().bytes;
    map_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

}  // namespace talaria::fs
