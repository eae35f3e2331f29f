#include "store/maintenance/optimize_context.h"

#include <string>

#include "store/core/human_bytes.h"

namespace talaria::store::optimize_internal {

using core::Status;

Status Deduplication(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto usage, IndexedPackUsage(ctx.store));
  const auto sizes = PackFileSizes(ctx.store.paths());
  TALARIA_ASSIGN_OR_RETURN(SupersededCopies found, FindSupersededCopies(ctx.store, usage));
  r->candidates = found.copies;
  TALARIA_RETURN_IF_ERROR(RepackAndCount(ctx, found.packs, usage, sizes, r));
  r->detail = std::to_string(found.copies) + " superseded copies (" +
              core::HumanBytes(found.bytes) + ") in " + std::to_string(found.packs.size()) +
              " packs, " + (ctx.writing() ? "rewritten without them" : "to rewrite without them");
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
