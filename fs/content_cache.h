#pragma once

// File contents (chunk maps, generated files) by node key, bounded in bytes
// of memory they hold (Content::footprint); least recently used first out.
// An evicted content stays valid for the open files that still hold it.
//
// Thread-safe (a core::LruCache charged by footprint).

#include <cstdint>
#include <memory>
#include <string>

#include "fs/content.h"
#include "store/core/lru_cache.h"

namespace talaria::fs {

class ContentCache {
 public:
  explicit ContentCache(uint64_t capacity_bytes) : lru_(capacity_bytes) {}

  std::shared_ptr<const Content> Lookup(const std::string& key) { return lru_.Lookup(key); }
  void Insert(const std::string& key, std::shared_ptr<const Content> content) {
    const uint64_t bytes = content ? content->footprint() + key.size() : 0;
    lru_.Insert(key, std::move(content), bytes);
  }

 private:
  core::LruCache<std::string, Content> lru_;
};

}  // namespace talaria::fs
