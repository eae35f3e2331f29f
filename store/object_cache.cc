#include "store/object_cache.h"

namespace talaria::store {

ObjectCache::Value ObjectCache::Lookup(const core::ObjectId& id) {
  core::MutexLock lock(&mu_);
  auto it = map_.find(id);
  if (it == map_.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second->value;
}

bool ObjectCache::Contains(const core::ObjectId& id) {
  core::MutexLock lock(&mu_);
  return map_.count(id) > 0;
}

void ObjectCache::Insert(const core::ObjectId& id, Value value) {
  if (!value || value->size() > capacity_) return;
  core::MutexLock lock(&mu_);
  if (auto it = map_.find(id); it != map_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  bytes_ += value->size();
  lru_.push_front(Entry{id, std::move(value)});
  map_[id] = lru_.begin();
  EvictLocked();
}

void ObjectCache::Erase(const core::ObjectId& id) {
  core::MutexLock lock(&mu_);
  auto it = map_.find(id);
  if (it == map_.end()) return;
  bytes_ -= it->second->value->size();
  lru_.erase(it->second);
  map_.erase(it);
}

void ObjectCache::EvictLocked() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    Entry& victim = lru_.back();
    bytes_ -= victim.value->size();
    map_.erase(victim.id);
    lru_.pop_back();
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
}

CacheStats ObjectCache::stats() const {
  core::MutexLock lock(&mu_);
  return CacheStats{hits_.load(), misses_.load(), evictions_.load(),
                    map_.size(),  bytes_,         capacity_};
}

}  // namespace talaria::store
