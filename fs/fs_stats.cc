#include "fs/fs_stats.h"

#include <nlohmann/json.hpp>

namespace talaria::fs {

std::string StatsJson(const FsStats& s, const store::CacheStats& cache, uint64_t uptime_s) {
  auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  nlohmann::ordered_json j;
  j["uptime_s"] = uptime_s;
  j["requests"] = get(s.requests);
  j["lookups"] = get(s.lookups);
  j["negative_lookups"] = get(s.negative_lookups);
  j["opens"] = get(s.opens);
  j["reads"] = get(s.reads);
  j["bytes_served"] = get(s.bytes_served);
  j["errors"] = get(s.errors);
  j["read_errors"] = get(s.read_errors);
  j["manifest_pages_read"] = get(s.manifest_pages_read);
  j["cache"] = {{"hits", cache.hits},
                {"misses", cache.misses},
                {"objects_reconstructed", cache.misses},
                {"evictions", cache.evictions},
                {"entries", cache.entries},
                {"bytes", cache.charge},
                {"capacity_bytes", cache.capacity}};
  return j.dump(2) + "\n";
}

}  // namespace talaria::fs
