#include "store/maintenance/optimize_context.h"

#include <string>
#include <vector>

namespace talaria::store::optimize_internal {

using core::Status;

Status Compression(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto objects, AllObjects(ctx.store));
  TALARIA_ASSIGN_OR_RETURN(auto reads, ChunkReads(ctx.store, !ctx.writing()));
  std::vector<Rewrite> plan;
  uint64_t hot = 0;
  for (const auto& [id, info] : objects) {
    if (info.entry.is_delta()) continue;  // deltas: DeltaEncoding and Archival
    auto it = reads.find(id);
    if (it != reads.end() && it->second > 0) {
      hot++;
      continue;
    }
    TALARIA_ASSIGN_OR_RETURN(FrameHeader frame, StoredFrame(ctx.store, info));
    if (!CompressedBelow(frame, ctx.options.compression_level)) continue;
    PutOptions o;
    o.kind = info.kind();
    o.codec = CodecSpec{CodecType::kZstd, ctx.options.compression_level};
    plan.push_back(Rewrite{id, o, info.entry.record_len, ctx.options.min_gain});
  }
  TALARIA_RETURN_IF_ERROR(ApplyRewrites(ctx, plan, r));
  r->detail = std::to_string(r->changed) + " of " + std::to_string(plan.size()) +
              " cold objects shrink at zstd:" + std::to_string(ctx.options.compression_level) +
              " (" + std::to_string(hot) + " read chunks left alone)";
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
