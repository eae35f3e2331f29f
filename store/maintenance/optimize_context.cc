#include "store/maintenance/optimize_context.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/core/human_bytes.h"
#include "store/core/parallel.h"
#include "store/object/access_log.h"
#include "store/pack/pack_format.h"

namespace talaria::store::optimize_internal {

using core::ObjectId;
using core::Result;
using core::Status;

std::map<uint64_t, uint64_t> PackFileSizes(const StorePaths& paths) {
  std::map<uint64_t, uint64_t> sizes;
  for (const auto& [pack, path] : paths.ListPackFiles()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) sizes[pack] = size;
  }
  return sizes;
}

uint64_t PackFileBytes(const StorePaths& paths) {
  uint64_t total = 0;
  for (const auto& [pack, size] : PackFileSizes(paths)) total += size;
  return total;
}

Result<std::map<ObjectId, ObjectInfo>> AllObjects(ObjectStore& store) {
  std::map<ObjectId, ObjectInfo> objects;
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectInfo> list, store.List());
  for (ObjectInfo& o : list) objects.emplace(o.id, std::move(o));
  return objects;
}

Result<FrameHeader> StoredFrame(ObjectStore& store, const ObjectInfo& info) {
  TALARIA_ASSIGN_OR_RETURN(Record r, store.pack_reader().Read(info.entry.pack, info.entry.offset,
                                                              info.entry.record_len));
  return ParseFrameHeader(r.frame());
}

Result<std::unordered_map<ObjectId, uint64_t>> ChunkReads(ObjectStore& store, bool with_pending) {
  std::unordered_map<ObjectId, uint64_t> reads;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_RETURN_IF_ERROR(store.index().chunks().ForEach(
        txn, [&](const ObjectId& id, const index::ChunkMeta& meta) -> Status {
          reads[id] = meta.access_count;
          return core::OkStatus();
        }));
  }
  if (with_pending) {
    TALARIA_ASSIGN_OR_RETURN(AccessCounts pending, PendingAccess(store.paths()));
    for (const auto& [id, n] : pending) {
      auto it = reads.find(id);
      if (it != reads.end()) it->second += n;
    }
  }
  return reads;
}

bool CompressedBelow(const FrameHeader& frame, int level) {
  if (frame.codec == CodecType::kNone) return false;  // stored plain: incompressible
  if (frame.codec != CodecType::kZstd) return true;
  return frame.level < level;
}

Result<VersionSets> LoadVersions(ObjectStore& store) {
  VersionSets v;
  std::vector<index::DatabaseVersion> list;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(list, store.index().databases().List(txn));
    for (const auto& dv : list) {
      TALARIA_ASSIGN_OR_RETURN(auto current, store.index().databases().Current(txn, dv.name));
      if (current && current->manifest == dv.manifest) v.current_manifests.insert(dv.manifest);
    }
  }
  for (auto& dv : list) {
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, dv.manifest));
    v.versions.emplace_back(std::move(dv), std::move(m));
  }
  return v;
}

namespace {

constexpr size_t kBatchObjects = 32;

// The new record of one planned rewrite, or nullopt when it does not save
// enough to be worth writing.
Result<std::optional<WritableStore::Prepared>> Encode(WritableStore& store, const Rewrite& w) {
  TALARIA_ASSIGN_OR_RETURN(auto raw, store.GetUncounted(w.id));
  TALARIA_ASSIGN_OR_RETURN(WritableStore::Prepared p, store.Prepare(w.id, *raw, w.options));
  if (static_cast<double>(p.header.record_len()) >
      (1.0 - w.min_gain) * static_cast<double>(w.old_len)) {
    return std::optional<WritableStore::Prepared>();
  }
  return std::optional<WritableStore::Prepared>(std::move(p));
}

// Encodes `indexes` of `plan` in parallel.
Result<std::vector<std::optional<WritableStore::Prepared>>> EncodeAll(
    WritableStore& store, const std::vector<Rewrite>& plan, const std::vector<size_t>& indexes) {
  std::vector<Result<std::optional<WritableStore::Prepared>>> out(indexes.size());
  core::ParallelFor(indexes.size(), store.config().effective_threads(),
                    [&](size_t i) { out[i] = Encode(store, plan[indexes[i]]); });
  std::vector<std::optional<WritableStore::Prepared>> encoded;
  for (auto& r : out) {
    if (!r) return core::Propagate(r.error());
    encoded.push_back(std::move(*r));
  }
  return encoded;
}

}  // namespace

Status ApplyRewrites(Context& ctx, const std::vector<Rewrite>& plan, StrategyResult* r) {
  r->candidates = plan.size();
  if (plan.empty()) return core::OkStatus();
  if (ctx.options.mode == Mode::kEstimate) {
    // A stratified sample (chunks and record indexes shrink differently),
    // each stratum scaled by its bytes.
    std::map<ObjectKind, std::vector<size_t>> strata;
    for (size_t i = 0; i < plan.size(); i++) strata[plan[i].options.kind].push_back(i);
    std::vector<size_t> sample;
    for (const auto& [kind, members] : strata) {
      const size_t n = std::clamp<size_t>(
          ctx.options.estimate_sample * members.size() / plan.size(), 1, members.size());
      for (size_t k = 0; k < n; k++) sample.push_back(members[k * members.size() / n]);
    }
    TALARIA_ASSIGN_OR_RETURN(auto encoded, EncodeAll(ctx.store, plan, sample));
    struct Tally {
      uint64_t old_bytes = 0, saved = 0, changed = 0, sampled = 0;
    };
    std::map<ObjectKind, Tally> tallies;
    for (size_t i = 0; i < sample.size(); i++) {
      const Rewrite& w = plan[sample[i]];
      Tally& t = tallies[w.options.kind];
      t.sampled++;
      t.old_bytes += w.old_len;
      if (!encoded[i]) continue;
      t.saved += w.old_len - encoded[i]->header.record_len();
      t.changed++;
    }
    double saved = 0, changed = 0;
    for (const auto& [kind, members] : strata) {
      const Tally& t = tallies[kind];
      uint64_t old_bytes = 0;
      for (size_t i : members) old_bytes += plan[i].old_len;
      if (t.old_bytes > 0) {
        saved += static_cast<double>(old_bytes) * static_cast<double>(t.saved) /
                 static_cast<double>(t.old_bytes);
      }
      changed += static_cast<double>(members.size()) * static_cast<double>(t.changed) /
                 static_cast<double>(t.sampled);
    }
    r->sampled = sample.size();
    r->bytes_saved = static_cast<uint64_t>(saved);
    r->changed = static_cast<uint64_t>(changed + 0.5);
    return core::OkStatus();
  }
  for (size_t start = 0; start < plan.size() && !ctx.TargetReached(); start += kBatchObjects) {
    std::vector<size_t> batch;
    for (size_t i = start; i < std::min(plan.size(), start + kBatchObjects); i++)
      batch.push_back(i);
    TALARIA_ASSIGN_OR_RETURN(auto encoded, EncodeAll(ctx.store, plan, batch));
    std::vector<WritableStore::Prepared> records;
    uint64_t saved = 0;
    for (size_t i = 0; i < batch.size(); i++) {
      if (!encoded[i]) continue;
      saved += plan[batch[i]].old_len - encoded[i]->header.record_len();
      records.push_back(std::move(*encoded[i]));
    }
    if (ctx.writing() && !records.empty()) {
      for (const auto& rec : records) ctx.touched.insert(rec.header.id);
      TALARIA_RETURN_IF_ERROR(ctx.store.WriteRecords(records, /*skip_existing=*/false));
    }
    r->changed += records.size();
    r->bytes_saved += saved;
    ctx.saved += saved;
    ctx.Progress(std::string(StrategyName(r->strategy)) + ": " +
                 std::to_string(std::min(plan.size(), start + kBatchObjects)) + "/" +
                 std::to_string(plan.size()) + " objects, " + core::HumanBytes(r->bytes_saved) +
                 " saved");
  }
  return core::OkStatus();
}

Status RepackAndCount(Context& ctx, const std::vector<uint64_t>& packs,
                      const std::map<uint64_t, PackUsage>& usage,
                      const std::map<uint64_t, uint64_t>& file_bytes, StrategyResult* r) {
  r->changed = packs.size();
  if (packs.empty()) return core::OkStatus();
  TALARIA_ASSIGN_OR_RETURN(uint64_t current, ctx.store.CurrentPack());
  if (!ctx.writing()) {
    uint64_t saved = 0;
    for (uint64_t p : packs) {
      const uint64_t live = usage.count(p) ? usage.at(p).live_bytes : 0;
      saved += file_bytes.at(p) - std::min(file_bytes.at(p), live);
      if (p == current) saved -= std::min<uint64_t>(saved, kPackHeaderSize);  // a fresh pack
    }
    r->bytes_saved = saved;
    return core::OkStatus();
  }
  const uint64_t before = PackFileBytes(ctx.store.paths());
  RepackStats stats;
  TALARIA_RETURN_IF_ERROR(RepackPacks(ctx.store, packs, &stats));
  for (const ObjectId& id : stats.moved) ctx.touched.insert(id);
  const uint64_t after = PackFileBytes(ctx.store.paths());
  r->changed = stats.packs_repacked;
  r->bytes_saved = before > after ? before - after : 0;
  ctx.saved += r->bytes_saved;
  for (const auto& p : stats.problems) r->detail += "problem: " + p + "; ";
  return core::OkStatus();
}

}  // namespace talaria::store::optimize_internal
