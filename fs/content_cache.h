#pragma once

// File contents (chunk maps, generated files) by node key, bounded in bytes
// of memory they hold (Content::footprint); least recently used first out.
// An evicted content stays valid for the open files that still hold it.
//
// Thread-safe.

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "fs/content.h"
#include "store/core/mutex.h"

namespace talaria::fs {

class ContentCache {
 public:
  explicit ContentCache(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  std::shared_ptr<const Content> Lookup(const std::string& key);
  void Insert(const std::string& key, std::shared_ptr<const Content> content);

 private:
  struct Item {
    std::string key;
    std::shared_ptr<const Content> content;
    uint64_t bytes;
  };
  const uint64_t capacity_;
  core::Mutex mu_;
  std::list<Item> lru_ GUARDED_BY(mu_);  // front = newest
  std::unordered_map<std::string, std::list<Item>::iterator> map_ GUARDED_BY(mu_);
  uint64_t bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace talaria::fs
