#pragma once

// A bounded LRU of reconstructed objects, shared by every reader of a
// store. The bound is in bytes of object data; an object larger than the
// whole cache is never kept. Values are shared, immutable strings, so an
// evicted object stays valid for whoever still holds it.
//
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/core/mutex.h"
#include "store/core/object_id.h"

namespace talaria::store {

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t capacity_bytes = 0;
};

class ObjectCache {
 public:
  using Value = std::shared_ptr<const std::string>;

  explicit ObjectCache(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The object, or nullptr (counted as a miss).
  Value Lookup(const core::ObjectId& id);
  // Whether the object is cached (counts neither a hit nor a miss, and does
  // not refresh its place in the LRU).
  bool Contains(const core::ObjectId& id);
  void Insert(const core::ObjectId& id, Value value);
  void Erase(const core::ObjectId& id);
  CacheStats stats() const;

 private:
  struct Entry {
    core::ObjectId id;
    Value value;
  };
  void EvictLocked() REQUIRES(mu_);

  const uint64_t capacity_;
  mutable core::Mutex mu_;
  std::list<Entry> lru_ GUARDED_BY(mu_);  // front = most recent
  std::unordered_map<core::ObjectId, std::list<Entry>::iterator> map_ GUARDED_BY(mu_);
  uint64_t bytes_ GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> hits_{0}, misses_{0}, evictions_{0};
};

}  // namespace talaria::store
