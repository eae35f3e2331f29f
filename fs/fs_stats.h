#pragma once

// Live counters of the daemon, served as .talaria/stats.json.
// Thread-safe (relaxed atomics: counters, not synchronisation).

#include <atomic>
#include <cstdint>
#include <string>

#include "store/object/object_cache.h"

namespace talaria::fs {

struct FsStats {
  std::atomic<uint64_t> requests{0};  // every FUSE request handled
  std::atomic<uint64_t> lookups{0};
  std::atomic<uint64_t> negative_lookups{0};
  std::atomic<uint64_t> opens{0};
  std::atomic<uint64_t> reads{0};
  std::atomic<uint64_t> bytes_served{0};
  std::atomic<uint64_t> errors{0};       // replies with an errno other than ENOENT
  std::atomic<uint64_t> read_errors{0};  // reads answered with EIO
  // Database manifest pages (chunk rows, taxon directory) fetched and decoded.
  std::atomic<uint64_t> manifest_pages_read{0};

  void Add(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
};

// The JSON document of .talaria/stats.json (one object, newline-terminated).
// Object-cache misses are objects reconstructed (read, decompressed,
// delta-applied and verified).
std::string StatsJson(const FsStats& stats, const store::CacheStats& cache, uint64_t uptime_s);

}  // namespace talaria::fs
