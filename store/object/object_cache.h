#pragma once

// A bounded LRU of reconstructed objects, shared by every reader of a
// store. The bound is in bytes of object data; an object larger than the
// whole cache is never kept. Values are shared, immutable strings, so an
// evicted object stays valid for whoever still holds it.
//
// Thread-safe (a core::LruCache charged by the memory an object holds).

#include <cstdint>
#include <memory>
#include <string>

#include "store/core/lru_cache.h"
#include "store/core/object_id.h"

namespace talaria::store {

using CacheStats = core::CacheStats;

class ObjectCache {
 public:
  using Value = std::shared_ptr<const std::string>;

  explicit ObjectCache(uint64_t capacity_bytes) : lru_(capacity_bytes) {}

  // The object, or nullptr (counted as a miss).
  Value Lookup(const core::ObjectId& id) { return lru_.Lookup(id); }
  // Whether the object is cached (counts neither a hit nor a miss, and does
  // not refresh its place in the LRU).
  bool Contains(const core::ObjectId& id) const { return lru_.Contains(id); }
  void Insert(const core::ObjectId& id, Value value) {
    // What the object holds in memory (a recycled buffer may be larger
    // than the object), so the cache's capacity bounds the daemon's memory.
    const uint64_t size = value ? value->capacity() + kEntryOverhead : 0;
    lru_.Insert(id, std::move(value), size);
  }
  void Erase(const core::ObjectId& id) { lru_.Erase(id); }
  CacheStats stats() const { return lru_.stats(); }

 private:
  static constexpr uint64_t kEntryOverhead = 128;  // string, control block, LRU node
  core::LruCache<core::ObjectId, std::string> lru_;
};

}  // namespace talaria::store
