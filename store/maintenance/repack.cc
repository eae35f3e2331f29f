#include "store/maintenance/repack.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "index/index.h"
#include "store/core/checksum.h"
#include "store/core/file_io.h"
#include "store/pack/frame.h"
#include "store/pack/pack_format.h"

namespace talaria::store {

using core::Result;
using core::Status;

namespace {

// Copies the live records of `pack` into the writer's pack and, in the same
// index commit, moves their entries and forgets the old pack.
Status CopyLiveRecords(WritableStore& store, uint64_t pack, const PackUsage& usage) {
  std::vector<WritableStore::Prepared> records;
  for (const ObjectInfo& info : usage.live) {
    TALARIA_ASSIGN_OR_RETURN(Record r, store.pack_reader().Read(info.entry.pack, info.entry.offset,
                                                                info.entry.record_len));
    TALARIA_ASSIGN_OR_RETURN(FrameHeader fh, ParseFrameHeader(r.frame()));
    if (core::Checksum64(r.frame().substr(kFrameHeaderSize)) != fh.checksum) {
      return core::Corruption("object " + info.id.Hex() + " in pack " + std::to_string(pack) +
                              " is damaged; pack left in place");
    }
    records.push_back(WritableStore::Prepared{r.header, std::string(r.frame())});
  }
  return store.WriteRecords(records, /*skip_existing=*/false, [&](index::WriteTxn& txn) -> Status {
    return store.index().packs().Delete(txn, pack);
  });
}

}  // namespace

Result<std::map<uint64_t, PackUsage>> IndexedPackUsage(ObjectStore& store) {
  std::map<uint64_t, PackUsage> packs;
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectInfo> list, store.List());
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  TALARIA_RETURN_IF_ERROR(
      store.index().packs().ForEach(txn, [&](uint64_t pack, const index::PackEntry& e) -> Status {
        packs[pack].committed = e.committed_len;
        return core::OkStatus();
      }));
  for (ObjectInfo& info : list) {
    PackUsage& u = packs[info.entry.pack];
    u.live_bytes += info.entry.record_len;
    u.live.push_back(std::move(info));
  }
  return packs;
}

Status RepackPacks(WritableStore& store, const std::vector<uint64_t>& packs, RepackStats* stats) {
  if (packs.empty()) return core::OkStatus();
  TALARIA_ASSIGN_OR_RETURN(auto usage, IndexedPackUsage(store));
  TALARIA_ASSIGN_OR_RETURN(uint64_t current, store.CurrentPack());
  // The writer's pack is sealed before anything moves, so the records
  // copied out of the other packs land in a pack that is not repacked.
  bool skip_current = false;
  if (std::find(packs.begin(), packs.end(), current) != packs.end()) {
    auto it = usage.find(current);
    // Repacking copies the live records first: on a (nearly) full disk the
    // current pack waits for a later run.
    if (it != usage.end() && !RoomFor(store, it->second.live_bytes)) {
      spdlog::warn("not repacking the current pack {}: too little free space", current);
      stats->skipped.push_back(current);
      skip_current = true;
    } else {
      TALARIA_RETURN_IF_ERROR(store.SealCurrentPack());
      // A pack that holds no record is not sealed: the writer goes on
      // appending to it, so it must not be removed.
      TALARIA_ASSIGN_OR_RETURN(uint64_t still, store.CurrentPack());
      skip_current = still == current;
    }
  }
  for (uint64_t pack : packs) {
    auto it = usage.find(pack);
    if (it == usage.end() || (pack == current && skip_current)) continue;
    Status st = CopyLiveRecords(store, pack, it->second);
    if (!st) {
      spdlog::warn("repack: {}", st.error().ToString());
      stats->problems.push_back(st.error().message());
      stats->skipped.push_back(pack);
      continue;
    }
    stats->bytes_rewritten += it->second.live_bytes;
    for (const ObjectInfo& info : it->second.live) stats->moved.push_back(info.id);
    TALARIA_RETURN_IF_ERROR(RemovePackFile(store, pack, &stats->bytes_removed));
    stats->packs_repacked++;
  }
  return core::OkStatus();
}

Result<SupersededCopies> FindSupersededCopies(ObjectStore& store,
                                              const std::map<uint64_t, PackUsage>& usage) {
  std::unordered_map<core::ObjectId, std::pair<uint64_t, uint64_t>> home;  // -> (pack, offset)
  for (const auto& [pack, u] : usage) {
    for (const ObjectInfo& info : u.live) home[info.id] = {info.entry.pack, info.entry.offset};
  }
  SupersededCopies found;
  for (const auto& [pack, u] : usage) {
    const std::string path = store.paths().pack_file(pack);
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (ec || size <= u.live_bytes + kPackHeaderSize) continue;
    uint64_t in_pack = 0;
    TALARIA_ASSIGN_OR_RETURN(
        ScanResult scan, ScanPack(path, [&](const ScannedRecord& rec) -> Status {
          auto it = home.find(rec.header.id);
          if (it != home.end() && it->second != std::make_pair(pack, rec.offset)) {
            in_pack++;
            found.bytes += rec.header.record_len();
          }
          return core::OkStatus();
        }));
    (void)scan;
    if (in_pack > 0) found.packs.push_back(pack);
    found.copies += in_pack;
  }
  return found;
}

Status RemovePackFile(WritableStore& store, uint64_t pack, uint64_t* removed_bytes) {
  std::string path = store.paths().pack_file(pack);
  auto fd = core::OpenFile(path, O_RDONLY);
  if (fd) {
    auto size = core::FileSize(fd->get(), path);
    if (size) *removed_bytes += *size;
  }
  TALARIA_RETURN_IF_ERROR(core::RemoveFile(path));
  store.pack_reader().Forget(pack);
  return core::FsyncDir(store.paths().pack_dir(pack));
}

bool RoomFor(ObjectStore& store, uint64_t bytes) {
  struct statvfs sv {};
  if (::statvfs(store.paths().root().c_str(), &sv) != 0) return false;
  const uint64_t free_bytes = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize;
  return free_bytes >= bytes + (uint64_t{1} << 20);
}

}  // namespace talaria::store
