#pragma once

// StorageStats: what a store holds and what it costs on disk.

#include <cstdint>
#include <map>
#include <string>

#include "store/object/object_cache.h"
#include "store/object/object_store.h"
#include "store/object/pack_usage.h"

namespace talaria::store {

struct StoreStats {
  uint64_t objects = 0;
  uint64_t raw_bytes = 0;     // sum of objects' reconstructed sizes
  uint64_t stored_bytes = 0;  // sum of objects' compressed payloads
  uint64_t record_bytes = 0;  // payloads plus record and frame headers
  uint64_t delta_objects = 0;
  std::map<std::string, uint64_t> objects_by_kind;
  std::map<std::string, uint64_t> objects_by_codec;
  uint64_t packs = 0;
  uint64_t pack_bytes = 0;     // size of the pack files on disk
  uint64_t garbage_bytes = 0;  // pack bytes no indexed object uses
  uint64_t chunks = 0;         // distinct chunk objects
  uint64_t chunk_bytes = 0;    // their raw bytes
  uint64_t versions = 0;       // registered database versions
  // Raw bytes of the chunks the registered versions list, counting a chunk
  // once per version that uses it: what the versions hold before dedup.
  uint64_t referenced_chunk_bytes = 0;
  CacheStats cache;

  // referenced / distinct chunk bytes: what sharing chunks between versions
  // saves; 1 for a store without versions.
  double dedup_ratio() const {
    return chunk_bytes && referenced_chunk_bytes
               ? static_cast<double>(referenced_chunk_bytes) / static_cast<double>(chunk_bytes)
               : 1.0;
  }

  // raw / stored; 1 for an empty store.
  double compression_ratio() const {
    return stored_bytes ? static_cast<double>(raw_bytes) / static_cast<double>(stored_bytes) : 1.0;
  }
};

core::Result<StoreStats> ComputeStats(ObjectStore& store);

}  // namespace talaria::store
