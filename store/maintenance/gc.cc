#include "store/maintenance/gc.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "index/index.h"
#include "store/maintenance/repack.h"
#include "store/pack/pack_format.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

// Roots plus the delta bases and dictionaries they need, transitively.
std::unordered_set<ObjectId> Mark(const std::unordered_map<ObjectId, ObjectInfo>& all,
                                  const std::vector<ObjectId>& roots, GcResult* result) {
  std::unordered_set<ObjectId> live;
  std::vector<ObjectId> stack;
  for (const ObjectId& r : roots) {
    if (!all.count(r)) {
      result->missing_roots.push_back(r);
      continue;
    }
    stack.push_back(r);
  }
  while (!stack.empty()) {
    ObjectId id = stack.back();
    stack.pop_back();
    if (!live.insert(id).second) continue;
    const ObjectId& base = all.at(id).entry.base;
    if (!base.IsZero() && all.count(base)) stack.push_back(base);
  }
  return live;
}

// Pack files on disk that the index does not know and that are older than
// the writer's current pack: leftovers of an interrupted repack.
std::vector<uint64_t> OrphanPacks(ObjectStore& store, const std::map<uint64_t, PackUsage>& known,
                                  uint64_t current) {
  std::vector<uint64_t> orphans;
  for (const auto& [pack, path] : store.paths().ListPackFiles()) {
    if (pack < current && !known.count(pack)) orphans.push_back(pack);
  }
  return orphans;
}

}  // namespace

Result<GcResult> CollectGarbage(WritableStore& store, const std::vector<ObjectId>& roots,
                                const GcOptions& options) {
  GcResult result;
  TALARIA_ASSIGN_OR_RETURN(auto list, store.List());
  std::unordered_map<ObjectId, ObjectInfo> all;
  for (auto& info : list) all.emplace(info.id, info);
  result.objects_before = all.size();
  std::unordered_set<ObjectId> live = Mark(all, roots, &result);

  std::map<uint64_t, PackUsage> packs;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_RETURN_IF_ERROR(
        store.index().packs().ForEach(txn, [&](uint64_t pack, const index::PackEntry& e) -> Status {
          packs[pack].committed = e.committed_len;
          return core::OkStatus();
        }));
  }
  std::vector<ObjectId> dead;
  for (const auto& [id, info] : all) {
    if (live.count(id)) {
      PackUsage& u = packs[info.entry.pack];
      u.live_bytes += info.entry.record_len;
      u.live.push_back(info);
    } else {
      dead.push_back(id);
      result.bytes_removed += info.entry.record_len;
    }
  }
  result.objects_removed = dead.size();
  TALARIA_ASSIGN_OR_RETURN(uint64_t current, store.CurrentPack());

  // The writer's current pack counts too: gc holds the writer lock, so it
  // seals that pack (the writer moves on to a fresh one) and repacks it like
  // any other — else a store whose data fits in one pack never gets back
  // what a removed version alone held.
  auto can_repack = [&](uint64_t pack, const PackUsage& u) {
    // A current pack that holds no record is where the writer appends next:
    // it has nothing to give back but its header.
    if (pack == current && u.committed <= kPackHeaderSize) return false;
    // Repacking copies the live records first: on a (nearly) full disk the
    // current pack waits for the next gc.
    if (pack == current && !RoomFor(store, u.live_bytes)) {
      spdlog::warn("gc: not repacking the current pack {}: too little free space", pack);
      return false;
    }
    return true;
  };
  std::vector<uint64_t> to_repack;
  std::vector<std::pair<uint64_t, uint64_t>> others;  // (dead bytes, pack) of the rest
  uint64_t total = 0, dead_left = 0;
  for (const auto& [pack, u] : packs) {
    total += u.committed;
    const uint64_t dead_bytes = u.committed - std::min(u.committed, u.live_bytes);
    if (dead_bytes == 0 || !can_repack(pack, u)) {
      dead_left += dead_bytes;
    } else if (static_cast<double>(u.live_bytes) <
               options.repack_threshold * static_cast<double>(u.committed)) {
      to_repack.push_back(pack);
    } else {
      others.emplace_back(dead_bytes, pack);
      dead_left += dead_bytes;
    }
  }
  // Then the packs with the most dead bytes, until what stays dead is at
  // most max_unused of the store.
  std::sort(others.rbegin(), others.rend());
  for (const auto& [dead_bytes, pack] : others) {
    if (static_cast<double>(dead_left) <= options.max_unused * static_cast<double>(total)) break;
    to_repack.push_back(pack);
    dead_left -= dead_bytes;
  }
  std::sort(to_repack.begin(), to_repack.end());
  const bool seal_current =
      std::find(to_repack.begin(), to_repack.end(), current) != to_repack.end();
  std::vector<uint64_t> orphans = OrphanPacks(store, packs, current);
  // Sealing starts a pack: its header is written anew.
  const uint64_t seal_cost = seal_current ? kPackHeaderSize : 0;
  if (options.dry_run) {
    result.packs_repacked = to_repack.size();
    for (uint64_t p : to_repack) {
      result.bytes_rewritten += packs[p].live_bytes;
      result.bytes_reclaimed += packs[p].committed - packs[p].live_bytes;
    }
    for (uint64_t pack : orphans) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(store.paths().pack_file(pack), ec);
      if (!ec) result.bytes_reclaimed += size;
    }
    result.bytes_rewritten += seal_cost;
    result.bytes_reclaimed -= std::min(result.bytes_reclaimed, seal_cost);
    return result;
  }

  if (!dead.empty()) {
    TALARIA_RETURN_IF_ERROR(store.index().Update([&](index::WriteTxn& txn) -> Status {
      for (const ObjectId& id : dead)
        TALARIA_RETURN_IF_ERROR(store.index().objects().Delete(txn, id));
      // A dictionary nothing uses any more goes too; the next ingest trains anew.
      return store.ForgetDictionaries(txn, std::unordered_set<ObjectId>(dead.begin(), dead.end()));
    }));
    for (const ObjectId& id : dead) store.cache().Erase(id);
  }
  RepackStats repacked;
  TALARIA_RETURN_IF_ERROR(RepackPacks(store, to_repack, &repacked));
  result.packs_repacked = repacked.packs_repacked;
  result.bytes_rewritten = repacked.bytes_rewritten + seal_cost;
  uint64_t removed = repacked.bytes_removed;
  result.problems = std::move(repacked.problems);
  result.moved = std::move(repacked.moved);
  for (uint64_t pack : orphans) TALARIA_RETURN_IF_ERROR(RemovePackFile(store, pack, &removed));
  result.bytes_reclaimed = removed - std::min(removed, result.bytes_rewritten);
  return result;
}

}  // namespace talaria::store
