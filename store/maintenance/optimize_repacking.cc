#include "store/maintenance/optimize_context.h"

#include <algorithm>
#include <string>
#include <vector>

#include "store/pack/pack_format.h"

namespace talaria::store::optimize_internal {

using core::Status;

Status Repacking(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto usage, IndexedPackUsage(ctx.store));
  const auto sizes = PackFileSizes(ctx.store.paths());
  TALARIA_ASSIGN_OR_RETURN(uint64_t current, ctx.store.CurrentPack());
  const uint64_t small_below = ctx.options.small_pack_bytes > 0
                                   ? ctx.options.small_pack_bytes
                                   : ctx.store.config().max_pack_bytes / 4;
  std::vector<uint64_t> packs, small;
  for (const auto& [pack, u] : usage) {
    auto size = sizes.find(pack);
    if (size == sizes.end()) continue;
    r->candidates++;
    if (size->second > u.live_bytes + kPackHeaderSize) {
      packs.push_back(pack);
    } else if (pack != current && size->second < small_below) {
      small.push_back(pack);
    }
  }
  const size_t sparse = packs.size();
  if (small.size() >= 2) packs.insert(packs.end(), small.begin(), small.end());
  std::sort(packs.begin(), packs.end());
  TALARIA_RETURN_IF_ERROR(RepackAndCount(ctx, packs, usage, sizes, r));
  r->detail = std::to_string(sparse) + " packs with dead bytes and " +
              std::to_string(packs.size() - sparse) + " small packs " +
              (ctx.writing() ? "rewritten into the writer's" : "to rewrite into the writer's");
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
