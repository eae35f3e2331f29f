#include "store/catalog/catalog_snapshot.h"

#include <nlohmann/json.hpp>

#include "index/index.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using nlohmann::json;

namespace {
constexpr char kMetaCatalog[] = "catalog_snapshot";
constexpr char kMetaGeneration[] = "catalog_generation";
}  // namespace

Result<std::pair<ObjectId, uint64_t>> PutCatalogSnapshot(
    WritableStore& store, const std::vector<index::DatabaseVersion>& versions) {
  std::vector<std::pair<std::string, index::ReductionEntry>> reductions;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(reductions, store.index().reductions().List(txn));
  }
  return PutCatalogSnapshot(store, versions, reductions);
}

Result<std::pair<ObjectId, uint64_t>> PutCatalogSnapshot(
    WritableStore& store, const std::vector<index::DatabaseVersion>& versions,
    const std::vector<std::pair<std::string, index::ReductionEntry>>& reductions) {
  uint64_t generation = 1;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(auto g, store.index().meta().GetU64(txn, kMetaGeneration));
    if (g) generation = *g + 1;
  }
  json list = json::array();
  for (const auto& v : versions) {
    list.push_back({v.name, v.version, v.manifest.Hex(), v.ingested_unix_s, v.sequence});
  }
  json profiles = json::array();
  for (const auto& [profile, e] : reductions) {
    profiles.push_back({profile, e.manifest.Hex(), e.created_unix_s, e.elapsed_ms});
  }
  json j = {{"format", kCatalogFormat},
            {"generation", generation},
            {"versions", list},
            {"reductions", profiles}};
  PutOptions o;
  o.kind = ObjectKind::kManifest;
  TALARIA_ASSIGN_OR_RETURN(ObjectId id, store.Put(j.dump(), o));
  return std::make_pair(id, generation);
}

core::Status RecordCatalogSnapshot(WritableStore& store, index::WriteTxn& txn, const ObjectId& id,
                                   uint64_t generation) {
  TALARIA_RETURN_IF_ERROR(store.index().meta().PutString(txn, kMetaCatalog, id.view()));
  return store.index().meta().PutU64(txn, kMetaGeneration, generation);
}

Result<std::optional<ObjectId>> CurrentCatalogSnapshot(ObjectStore& store) {
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  TALARIA_ASSIGN_OR_RETURN(auto v, store.index().meta().GetString(txn, kMetaCatalog));
  if (!v || v->size() != ObjectId::kSize) return std::optional<ObjectId>();
  return std::optional<ObjectId>(ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(v->data())));
}

std::optional<CatalogSnapshot> DecodeCatalogSnapshot(std::string_view bytes) {
  if (bytes.find(kCatalogFormat) == std::string_view::npos) return std::nullopt;
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != kCatalogFormat) {
    return std::nullopt;
  }
  try {
    CatalogSnapshot s;
    s.generation = j.at("generation").get<uint64_t>();
    for (const json& v : j.at("versions")) {
      auto id = ObjectId::Parse(v.at(2).get<std::string>());
      if (!id) return std::nullopt;
      s.versions.push_back(
          index::DatabaseVersion{v.at(0).get<std::string>(), v.at(1).get<std::string>(), *id,
                                 v.at(3).get<uint64_t>(), v.at(4).get<uint64_t>()});
    }
    for (const json& r : j.value("reductions", json::array())) {  // absent in older snapshots
      auto id = ObjectId::Parse(r.at(1).get<std::string>());
      if (!id) return std::nullopt;
      s.reductions.emplace_back(
          r.at(0).get<std::string>(),
          index::ReductionEntry{*id, r.at(2).get<uint64_t>(), r.at(3).get<uint64_t>()});
    }
    return s;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace talaria::store
