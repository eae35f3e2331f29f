#include "store/reduce/reduction_catalog.h"

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "index/index.h"
#include "store/catalog/catalog_snapshot.h"
#include "store/core/time_text.h"
#include "store/reduce/delta_record.h"
#include "store/reduce/reduction.h"
#include "store/reduce/reduction_manifest.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

// Every profile's entry, with `profile` set to `entry` (or left out when
// `entry` is nullopt).
Result<std::vector<std::pair<std::string, index::ReductionEntry>>> ProfilesWith(
    WritableStore& store, const std::string& profile, std::optional<index::ReductionEntry> entry) {
  std::vector<std::pair<std::string, index::ReductionEntry>> all, out;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(all, store.index().reductions().List(txn));
  }
  for (auto& p : all) {
    if (p.first != profile) out.push_back(std::move(p));
  }
  if (entry) out.emplace_back(profile, *entry);
  return out;
}

Result<std::vector<index::DatabaseVersion>> AllVersions(ObjectStore& store) {
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  return store.index().databases().List(txn);
}

}  // namespace

tl::unexpected<core::Error> AnotherReductionError(const std::string& profile) {
  return core::InvalidArgument("profile " + profile +
                               " already holds another reduction; remove it first "
                               "(talaria-store reduction rm " +
                               profile + ")");
}

Status Register(WritableStore& store, const std::string& profile,
                const index::ReductionEntry& entry, const ProfileIds& ids) {
  TALARIA_ASSIGN_OR_RETURN(auto versions, AllVersions(store));
  TALARIA_ASSIGN_OR_RETURN(auto profiles, ProfilesWith(store, profile, entry));
  TALARIA_ASSIGN_OR_RETURN(auto snapshot, PutCatalogSnapshot(store, versions, profiles));
  return store.index().Update([&](index::WriteTxn& txn) -> Status {
    TALARIA_RETURN_IF_ERROR(IndexReduction(store, txn, profile, entry, ids));
    return RecordCatalogSnapshot(store, txn, snapshot.first, snapshot.second);
  });
}

Result<ReductionInfo> LoadReduction(ObjectStore& store, const std::string& profile) {
  std::optional<index::ReductionEntry> entry;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(entry, store.index().reductions().Get(txn, profile));
  }
  if (!entry) return core::NotFound("no reduction profile '" + profile + "'");
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(entry->manifest));
  auto m = DecodeReductionManifest(*bytes);
  if (!m)
    return core::Propagate(m.error().WithContext("reduction manifest " + entry->manifest.Hex()));
  return ReductionInfo{profile, *entry, std::move(*m)};
}

std::string ManifestView(const ReductionInfo& info) {
  nlohmann::json j = nlohmann::json::parse(EncodeReductionManifest(info.manifest));
  j["created"] = core::Iso8601(info.entry.created_unix_s);
  j["statistics"]["elapsed_ms"] = info.entry.elapsed_ms;
  return j.dump(1) + "\n";
}

Result<std::vector<ReductionInfo>> ListReductions(ObjectStore& store) {
  std::vector<std::pair<std::string, index::ReductionEntry>> list;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(list, store.index().reductions().List(txn));
  }
  std::vector<ReductionInfo> out;
  for (const auto& [profile, entry] : list) {
    TALARIA_ASSIGN_OR_RETURN(ReductionInfo info, LoadReduction(store, profile));
    out.push_back(std::move(info));
  }
  return out;
}

Status RemoveReduction(WritableStore& store, const std::string& profile) {
  TALARIA_ASSIGN_OR_RETURN(ReductionInfo gone, LoadReduction(store, profile));
  TALARIA_ASSIGN_OR_RETURN(auto versions, AllVersions(store));
  TALARIA_ASSIGN_OR_RETURN(auto profiles, ProfilesWith(store, profile, std::nullopt));
  TALARIA_ASSIGN_OR_RETURN(auto snapshot, PutCatalogSnapshot(store, versions, profiles));
  return store.index().Update([&](index::WriteTxn& txn) -> Status {
    TALARIA_RETURN_IF_ERROR(store.index().reductions().Delete(txn, profile));
    return RecordCatalogSnapshot(store, txn, snapshot.first, snapshot.second);
  });
}

DeltaChunkIds IdsOf(const ObjectId& chunk, std::span<const DeltaRecord> records) {
  DeltaChunkIds ids{chunk, {}, {}};
  for (const DeltaRecord& d : records) {
    ids.children.push_back(d.child_id);
    if (ids.references.empty() || ids.references.back() != d.reference_id) {
      ids.references.push_back(d.reference_id);
    }
  }
  return ids;
}

Result<ProfileIds> LoadProfileIds(ObjectStore& store, const ReductionManifest& m) {
  ProfileIds out;
  for (const DeltaChunkInfo& d : m.delta_chunks) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(d.id));
    TALARIA_ASSIGN_OR_RETURN(auto records, DecodeDeltaChunk(*bytes));
    out.push_back(IdsOf(d.id, records));
  }
  return out;
}

Status IndexReduction(WritableStore& store, index::WriteTxn& txn, const std::string& profile,
                      const index::ReductionEntry& entry, const ProfileIds& ids) {
  const index::ReductionTable& table = store.index().reductions();
  TALARIA_RETURN_IF_ERROR(table.Put(txn, profile, entry));
  for (const DeltaChunkIds& chunk : ids) {
    for (const std::string& child : chunk.children) {
      TALARIA_RETURN_IF_ERROR(table.AddChild(txn, profile, child, chunk.chunk));
    }
    for (const std::string& reference : chunk.references) {
      TALARIA_RETURN_IF_ERROR(table.AddReference(txn, profile, reference, chunk.chunk));
    }
  }
  return core::OkStatus();
}

std::vector<ObjectId> ReductionObjects(const ObjectId& manifest_id, const ReductionManifest& m) {
  std::vector<ObjectId> ids{manifest_id};
  for (const auto& c : m.reference_chunks) {
    ids.push_back(c.id);
    ids.push_back(c.fai);
  }
  for (const auto& d : m.delta_chunks) ids.push_back(d.id);
  return ids;
}

}  // namespace talaria::store
