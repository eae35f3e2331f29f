#include "store/maintenance/optimize_context.h"

#include <string>
#include <vector>

#include "store/core/human_bytes.h"
#include "store/maintenance/gc.h"
#include "store/maintenance/roots.h"

namespace talaria::store::optimize_internal {

using core::ObjectId;
using core::Status;

Status GarbageCollection(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectId> roots, DatabaseRoots(ctx.store));
  roots.insert(roots.end(), ctx.options.extra_roots.begin(), ctx.options.extra_roots.end());
  if (roots.empty()) {
    r->detail = "no database versions and no roots given: nothing is collected";
    return core::OkStatus();
  }
  GcOptions gc;
  gc.dry_run = !ctx.writing();
  gc.repack_threshold = ctx.store.config().repack_threshold;
  const uint64_t before = PackFileBytes(ctx.store.paths());
  TALARIA_ASSIGN_OR_RETURN(GcResult g, CollectGarbage(ctx.store, roots, gc));
  r->candidates = g.objects_before;
  r->changed = g.objects_removed;
  if (ctx.writing()) {
    for (const ObjectId& id : g.moved) ctx.touched.insert(id);
    const uint64_t after = PackFileBytes(ctx.store.paths());
    r->bytes_saved = before > after ? before - after : 0;
    ctx.saved += r->bytes_saved;
  } else {
    r->bytes_saved = g.bytes_reclaimed;
  }
  r->detail = std::to_string(g.objects_removed) + " unreferenced objects (" +
              core::HumanBytes(g.bytes_removed) + "), " + std::to_string(g.packs_repacked) +
              (ctx.writing() ? " packs repacked" : " packs to repack");
  for (const auto& p : g.problems) r->detail += "; problem: " + p;
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
