#include "store/maintenance/optimize_context.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "store/core/human_bytes.h"
#include "store/maintenance/warm_list.h"

namespace talaria::store::optimize_internal {

using core::ObjectId;
using core::Status;

Status Caching(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto reads, ChunkReads(ctx.store, !ctx.writing()));
  std::vector<std::pair<uint64_t, ObjectId>> hot;
  for (const auto& [id, n] : reads) {
    if (n > 0) hot.emplace_back(n, id);
  }
  std::sort(hot.begin(), hot.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  r->candidates = hot.size();
  if (hot.empty()) {
    r->detail = "no reads recorded yet (talariafs counts them into " +
                ctx.store.paths().access_dir() + "); warm list left as it is";
    return core::OkStatus();
  }
  const uint64_t budget = ctx.store.config().cache_bytes / 2;
  std::vector<ObjectId> warm;
  uint64_t bytes = 0;
  for (const auto& [n, id] : hot) {
    auto info = ctx.store.Stat(id);
    if (!info || bytes + info->entry.raw_len > budget) continue;
    bytes += info->entry.raw_len;
    warm.push_back(id);
  }
  r->changed = warm.size();
  if (ctx.writing()) {
    TALARIA_RETURN_IF_ERROR(
        WriteWarmList(ctx.store.paths(), warm,
                      "written by talaria-store optimize: the " + std::to_string(warm.size()) +
                          " most read chunks that fit half the cache; talariafs preloads them"));
  }
  r->detail = "warm list of " + std::to_string(warm.size()) + " of " + std::to_string(hot.size()) +
              " read chunks (" + core::HumanBytes(bytes) + ", half of the " +
              core::HumanBytes(ctx.store.config().cache_bytes) + " cache)";
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
