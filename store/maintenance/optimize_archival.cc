#include "store/maintenance/optimize_context.h"

#include <set>
#include <string>
#include <vector>

#include "store/catalog/database_catalog.h"
#include "store/maintenance/live_set.h"

namespace talaria::store::optimize_internal {

using core::ObjectId;
using core::Status;

Status Archival(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto objects, AllObjects(ctx.store));
  TALARIA_ASSIGN_OR_RETURN(VersionSets v, LoadVersions(ctx.store));
  std::vector<ObjectId> current_roots, old_roots;
  size_t old_versions = 0;
  for (const auto& [dv, m] : v.versions) {
    auto ids = VersionObjects(dv.manifest, m);
    const bool current = v.current_manifests.count(dv.manifest) > 0;
    old_versions += !current;
    auto& roots = current ? current_roots : old_roots;
    roots.insert(roots.end(), ids.begin(), ids.end());
  }
  const std::set<ObjectId> current = WithDeltaBases(objects, current_roots);
  std::vector<Rewrite> plan;
  for (const ObjectId& id : WithDeltaBases(objects, old_roots)) {
    auto it = objects.find(id);
    if (current.count(id) || it == objects.end()) continue;
    const ObjectInfo& info = it->second;
    TALARIA_ASSIGN_OR_RETURN(FrameHeader frame, StoredFrame(ctx.store, info));
    if (!CompressedBelow(frame, ctx.options.archival_level)) continue;
    PutOptions o;
    o.kind = info.kind();
    o.codec = CodecSpec{CodecType::kZstd, ctx.options.archival_level};
    if (info.entry.is_delta()) o.base = info.entry.base;  // a delta stays a delta
    plan.push_back(Rewrite{id, o, info.entry.record_len, ctx.options.min_gain});
  }
  TALARIA_RETURN_IF_ERROR(ApplyRewrites(ctx, plan, r));
  r->detail = std::to_string(r->changed) + " of " + std::to_string(plan.size()) +
              " objects only older versions need (" + std::to_string(old_versions) +
              " versions) shrink at zstd:" + std::to_string(ctx.options.archival_level);
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
