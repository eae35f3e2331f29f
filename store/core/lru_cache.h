#pragma once

// A bounded map from keys to shared, immutable values, least recently used
// first out: the one cache of the tree (objects, file contents, decoded
// manifests, alignments). The bound is on the sum of the entries' charges:
// bytes when values vary in size, 1 per entry otherwise. A value charged more
// than the whole capacity is never kept. Values are shared_ptrs, so an
// evicted value stays valid for whoever still holds it.
//
// Thread-safe. Lookups and inserts take one mutex for a few pointer moves;
// values are built outside it by the caller (two threads missing at once
// may both build a value: the first insert wins, the other is dropped).

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <unordered_map>
#include <utility>

#include "store/core/mutex.h"

namespace talaria::core {

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  uint64_t entries = 0;
  uint64_t charge = 0;  // sum of the entries' charges (bytes for byte-bounded caches)
  uint64_t capacity = 0;
};

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class LruCache {
 public:
  using Handle = std::shared_ptr<const Value>;

  explicit LruCache(uint64_t capacity) : capacity_(capacity) {}
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value, refreshed as most recent; nullptr if absent (a miss).
  Handle Lookup(const Key& key) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = map_.find(key);
    if (it == map_.end()) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second->value;
  }

  // Whether the key is cached; counts nothing and refreshes nothing.
  bool Contains(const Key& key) const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return map_.count(key) > 0;
  }

  // Keeps `value` under `key` unless the key is cached already (then only
  // refreshed) or `charge` exceeds the capacity; evicts the least recent
  // entries past the capacity.
  void Insert(const Key& key, Handle value, uint64_t charge) EXCLUDES(mu_) {
    if (!value || charge > capacity_) return;
    MutexLock lock(&mu_);
    if (auto it = map_.find(key); it != map_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    lru_.push_front(Entry{key, std::move(value), charge});
    map_.emplace(key, lru_.begin());
    charge_ += charge;
    while (charge_ > capacity_ && !lru_.empty()) {
      charge_ -= lru_.back().charge;
      map_.erase(lru_.back().key);
      lru_.pop_back();
      evictions_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void Erase(const Key& key) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return;
    charge_ -= it->second->charge;
    lru_.erase(it->second);
    map_.erase(it);
  }

  CacheStats stats() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return CacheStats{hits_.load(), misses_.load(), evictions_.load(),
                      map_.size(),  charge_,        capacity_};
  }

  uint64_t capacity() const { return capacity_; }

 private:
  struct Entry {
    Key key;
    Handle value;
    uint64_t charge;
  };

  const uint64_t capacity_;
  mutable Mutex mu_;
  std::list<Entry> lru_ GUARDED_BY(mu_);  // front = most recent
  std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> map_ GUARDED_BY(mu_);
  uint64_t charge_ GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> hits_{0}, misses_{0}, evictions_{0};
};

}  // namespace talaria::core
