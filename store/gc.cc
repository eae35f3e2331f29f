#include "store/gc.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "store/core/checksum.h"
#include "store/core/file_io.h"
#include "store/frame.h"
#include "store/pack_format.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

struct PackUsage {
  uint64_t committed = 0;
  uint64_t live_bytes = 0;
  std::vector<ObjectInfo> live;
};

// Roots plus the delta bases they need, transitively.
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

// Copies the live records of `pack` into the writer's pack and, in the same
// index commit, moves their entries and forgets the old pack.
Status Repack(ObjectStore& store, uint64_t pack, const PackUsage& usage, GcResult* result) {
  std::vector<ObjectStore::Prepared> records;
  for (const ObjectInfo& info : usage.live) {
    TALARIA_ASSIGN_OR_RETURN(Record r, store.pack_reader().Read(info.entry.pack, info.entry.offset,
                                                                info.entry.record_len));
    TALARIA_ASSIGN_OR_RETURN(FrameHeader fh, ParseFrameHeader(r.frame()));
    if (core::Checksum64(r.frame().substr(kFrameHeaderSize)) != fh.checksum) {
      return core::Corruption("object " + info.id.Hex() + " in pack " + std::to_string(pack) +
                              " is damaged; pack left in place");
    }
    records.push_back(ObjectStore::Prepared{r.header, std::string(r.frame())});
  }
  TALARIA_RETURN_IF_ERROR(store.WriteRecords(
      records, /*skip_existing=*/false,
      [&](index::WriteTxn& txn) -> Status { return store.index().packs().Delete(txn, pack); }));
  result->bytes_rewritten += usage.live_bytes;
  return core::OkStatus();
}

Status RemovePackFile(ObjectStore& store, uint64_t pack, GcResult* result) {
  std::string path = store.paths().pack_file(pack);
  auto fd = core::OpenFile(path, O_RDONLY);
  if (fd) {
    auto size = core::FileSize(fd->get(), path);
    if (size) result->bytes_reclaimed += *size;
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return core::ErrnoError("remove " + path, errno);
  store.pack_reader().Forget(pack);
  return core::FsyncDir(store.paths().pack_dir(pack));
}

// Whether the store's file system has room to copy `bytes` of live records
// (with a margin for a pack header and the index).
bool RoomFor(ObjectStore& store, uint64_t bytes) {
  struct statvfs sv {};
  if (::statvfs(store.paths().root().c_str(), &sv) != 0) return false;
  const uint64_t free_bytes = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize;
  return free_bytes >= bytes + (uint64_t{1} << 20);
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

Result<GcResult> CollectGarbage(ObjectStore& store, const std::vector<ObjectId>& roots,
                                const GcOptions& options) {
  GcResult result;
  if (!store.writable()) return core::InvalidArgument("gc needs a store opened for writing");
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
  bool seal_current = false;
  std::vector<uint64_t> to_repack;
  for (const auto& [pack, u] : packs) {
    if (u.committed == 0) continue;
    double live_fraction = static_cast<double>(u.live_bytes) / static_cast<double>(u.committed);
    if (live_fraction < options.repack_threshold) {
      if (pack == current && !RoomFor(store, u.live_bytes)) {
        // Repacking copies the live records first: on a (nearly) full disk
        // the current pack waits for the next gc.
        spdlog::warn("gc: not repacking the current pack {}: too little free space", pack);
        continue;
      }
      to_repack.push_back(pack);
      seal_current |= pack == current;
    }
  }
  std::vector<uint64_t> orphans = OrphanPacks(store, packs, current);
  // Sealing starts a pack: its header is written anew.
  const uint64_t seal_cost = seal_current ? kPackHeaderSize : 0;
  if (options.dry_run) {
    result.packs_repacked = to_repack.size();
    for (uint64_t p : to_repack) {
      result.bytes_rewritten += packs[p].live_bytes;
      result.bytes_reclaimed += packs[p].committed - packs[p].live_bytes;
    }
    result.bytes_rewritten += seal_cost;
    result.bytes_reclaimed -= std::min(result.bytes_reclaimed, seal_cost);
    return result;
  }

  if (seal_current) {
    TALARIA_RETURN_IF_ERROR(store.SealCurrentPack());
    result.bytes_rewritten += seal_cost;
  }
  if (!dead.empty()) {
    TALARIA_RETURN_IF_ERROR(store.index().Update([&](index::WriteTxn& txn) -> Status {
      for (const ObjectId& id : dead)
        TALARIA_RETURN_IF_ERROR(store.index().objects().Delete(txn, id));
      return core::OkStatus();
    }));
    for (const ObjectId& id : dead) store.cache().Erase(id);
  }
  for (uint64_t pack : to_repack) {
    Status st = Repack(store, pack, packs[pack], &result);
    if (!st) {
      spdlog::warn("gc: {}", st.error().ToString());
      result.problems.push_back(st.error().message());
      continue;
    }
    TALARIA_RETURN_IF_ERROR(RemovePackFile(store, pack, &result));
    result.packs_repacked++;
  }
  for (uint64_t pack : orphans) TALARIA_RETURN_IF_ERROR(RemovePackFile(store, pack, &result));
  if (result.bytes_reclaimed >= result.bytes_rewritten) {
    result.bytes_reclaimed -= result.bytes_rewritten;
  } else {
    result.bytes_reclaimed = 0;
  }
  return result;
}

}  // namespace talaria::store
