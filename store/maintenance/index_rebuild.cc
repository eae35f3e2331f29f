#include "store/maintenance/index_rebuild.h"

#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <unordered_map>

#include "index/index.h"
#include "store/catalog/catalog_snapshot.h"
#include "store/catalog/database_catalog.h"
#include "store/core/checksum.h"
#include "store/core/file_io.h"
#include "store/core/store_paths.h"
#include "store/object/writable_store.h"
#include "store/object/writer_lock.h"
#include "store/pack/frame.h"
#include "store/pack/pack_reader.h"
#include "store/reduce/reduction.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

struct Found {
  index::ObjectEntry entry;
  bool intact = false;
};

// The newest catalogue snapshot in the store, written back into the
// `databases` table (with the chunk index of every version it names) and the
// reduction tables.
Result<uint64_t> RestoreCatalog(const std::string& root, WriterLock lock) {
  StoreConfig config;
  TALARIA_ASSIGN_OR_RETURN(auto store,
                           WritableStore::Open(root, config, OpenOptions{}, std::move(lock)));
  std::optional<CatalogSnapshot> newest;
  ObjectId newest_id;
  TALARIA_ASSIGN_OR_RETURN(auto objects, store->List());
  for (const ObjectInfo& info : objects) {
    if (info.kind() != ObjectKind::kManifest) continue;
    auto bytes = store->Get(info.id);
    if (!bytes) continue;  // damaged: verify reports it
    auto snapshot = DecodeCatalogSnapshot(**bytes);
    if (snapshot && (!newest || snapshot->generation > newest->generation)) {
      newest = std::move(snapshot);
      newest_id = info.id;
    }
  }
  if (!newest) return uint64_t{0};
  std::vector<DatabaseManifest> manifests;
  for (const auto& v : newest->versions) {
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(*store, v.manifest));
    manifests.push_back(std::move(m));
  }
  std::vector<ProfileIds> profile_ids;
  for (const auto& [profile, entry] : newest->reductions) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store->Get(entry.manifest));
    TALARIA_ASSIGN_OR_RETURN(ReductionManifest m, DecodeReductionManifest(*bytes));
    TALARIA_ASSIGN_OR_RETURN(auto ids, LoadProfileIds(*store, m));
    profile_ids.push_back(std::move(ids));
  }
  TALARIA_RETURN_IF_ERROR(store->index().Update([&](index::WriteTxn& txn) -> Status {
    for (size_t i = 0; i < newest->reductions.size(); i++) {
      const auto& [profile, entry] = newest->reductions[i];
      TALARIA_RETURN_IF_ERROR(IndexReduction(*store, txn, profile, entry, profile_ids[i]));
    }
    for (const auto& v : newest->versions) {
      TALARIA_RETURN_IF_ERROR(store->index().databases().Put(txn, v));
    }
    for (const DatabaseManifest& m : manifests) {
      TALARIA_RETURN_IF_ERROR(RegisterChunks(*store, txn, m));
    }
    return RecordCatalogSnapshot(*store, txn, newest_id, newest->generation);
  }));
  return static_cast<uint64_t>(newest->versions.size());
}

}  // namespace

Result<RebuildResult> RebuildIndex(const std::string& root) {
  StorePaths paths(root);
  if (!core::IsDirectory(paths.packs_dir())) {
    return core::InvalidArgument(root + " is not a talaria store (it has no packs/)");
  }
  TALARIA_ASSIGN_OR_RETURN(WriterLock lock, WriterLock::Acquire(paths.writer_lock(), false));
  RebuildResult result;
  std::unordered_map<ObjectId, Found> objects;
  std::map<uint64_t, index::PackEntry> pack_entries;
  for (const auto& [pack, path] : paths.ListPackFiles()) {
    auto scan = ScanPack(path, [&](const ScannedRecord& r) -> Status {
      index::ObjectEntry e;
      e.pack = pack;
      e.offset = r.offset;
      e.record_len = r.header.record_len();
      e.kind = static_cast<uint8_t>(r.header.kind);
      e.depth = r.header.depth;
      e.raw_len = r.header.raw_len;
      e.stored_len = r.frame.size() >= kFrameHeaderSize ? r.frame.size() - kFrameHeaderSize : 0;
      e.base = r.header.base;
      e.dictionary = r.header.dictionary;
      auto fh = ParseFrameHeader(r.frame);
      bool intact = fh && core::Checksum64(r.frame.substr(kFrameHeaderSize)) == fh->checksum;
      if (fh) e.codec = static_cast<uint8_t>(fh->codec);
      if (!intact) result.damaged++;
      auto [it, inserted] = objects.try_emplace(r.header.id, Found{e, intact});
      if (!inserted) {
        result.duplicates++;
        if (!it->second.intact && intact) it->second = Found{e, intact};
      }
      return core::OkStatus();
    });
    if (!scan) {
      result.problems.push_back(path + ": " + scan.error().message() + " (pack skipped)");
      continue;
    }
    for (const std::string& p : scan->problems) result.problems.push_back(path + ": " + p);
    pack_entries[pack] = index::PackEntry{scan->valid_end, scan->records};
    result.packs++;
    result.records += scan->records;
  }

  const std::string fresh = paths.index_rebuild_dir();
  TALARIA_RETURN_IF_ERROR(core::RemoveTree(fresh));
  index::EnvOptions env;
  env.create = true;
  {
    TALARIA_ASSIGN_OR_RETURN(auto idx, index::Index::Open(fresh, env));
    TALARIA_RETURN_IF_ERROR(idx->Update([&](index::WriteTxn& txn) -> Status {
      for (const auto& [id, found] : objects) {
        TALARIA_RETURN_IF_ERROR(idx->objects().Put(txn, id, found.entry));
      }
      for (const auto& [pack, entry] : pack_entries) {
        TALARIA_RETURN_IF_ERROR(idx->packs().Put(txn, pack, entry));
      }
      return core::OkStatus();
    }));
  }
  result.objects = objects.size();

  const std::string old = paths.index_old_dir();
  TALARIA_RETURN_IF_ERROR(core::RemoveTree(old));
  if (core::PathExists(paths.index_dir())) {
    TALARIA_RETURN_IF_ERROR(core::Rename(paths.index_dir(), old));
  }
  TALARIA_RETURN_IF_ERROR(core::Rename(fresh, paths.index_dir()));
  TALARIA_RETURN_IF_ERROR(core::FsyncDir(root));
  TALARIA_RETURN_IF_ERROR(core::RemoveTree(old));
  TALARIA_ASSIGN_OR_RETURN(result.database_versions, RestoreCatalog(root, std::move(lock)));
  return result;
}

}  // namespace talaria::store
