#include "store/catalog/database_catalog.h"

#include <map>
#include <set>

#include "index/index.h"
#include "store/catalog/catalog_snapshot.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

Result<index::DatabaseVersion> ResolveDatabase(ObjectStore& store, const std::string& spec) {
  std::string name = spec, version;
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    name = spec.substr(0, slash);
    version = spec.substr(slash + 1);
  }
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  const index::DatabaseTable& dbs = store.index().databases();
  if (version.empty() || version == "current") {
    TALARIA_ASSIGN_OR_RETURN(auto current, dbs.Current(txn, name));
    if (!current) return core::NotFound("no database named '" + name + "' in the store");
    return *current;
  }
  TALARIA_ASSIGN_OR_RETURN(auto found, dbs.Get(txn, name, version));
  if (!found) {
    return core::NotFound("database '" + name + "' has no version '" + version +
                          "' (talaria-store db ls lists them)");
  }
  return *found;
}

Result<DatabaseManifest> LoadManifest(ObjectStore& store, const ObjectId& id) {
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(id));
  auto m = DecodeManifest(*bytes);
  if (!m) return core::Propagate(m.error().WithContext("manifest " + id.Hex()));
  return m;
}

Status ExportSource(ObjectStore& store, const DatabaseManifest& manifest, const SourceFile& source,
                    const std::function<Status(std::string_view)>& out) {
  TALARIA_ASSIGN_OR_RETURN(auto layout_bytes, store.Get(source.layout));
  TALARIA_ASSIGN_OR_RETURN(std::vector<LayoutRun> runs, DecodeLayout(*layout_bytes));
  // Each taxon's stream: its chunks in manifest order. A cursor holds a
  // position, not bytes: chunks come through the store's bounded cache, so
  // memory stays bounded however many taxa interleave.
  struct Cursor {
    std::vector<const ManifestChunk*> chunks;
    size_t chunk = 0;
    uint64_t offset = 0;
  };
  const uint32_t index = static_cast<uint32_t>(&source - manifest.sources.data());
  if (index >= manifest.sources.size())
    return core::InvalidArgument("source is not of this manifest");
  std::map<TaxonId, Cursor> cursors;
  for (const ManifestChunk& c : manifest.chunks) {
    if (c.source == index) cursors[c.taxon].chunks.push_back(&c);
  }
  core::Sha256Hasher hasher;
  uint64_t written = 0;
  auto emit = [&](std::string_view piece) -> Status {
    hasher.Update(piece);
    written += piece.size();
    return out(piece);
  };
  TALARIA_RETURN_IF_ERROR(emit(source.preamble));
  for (const LayoutRun& run : runs) {
    Cursor& cur = cursors[run.taxon];
    for (uint64_t left = run.length; left > 0;) {
      if (cur.chunk < cur.chunks.size() && cur.offset == cur.chunks[cur.chunk]->bytes) {
        cur.chunk++;
        cur.offset = 0;
      }
      if (cur.chunk >= cur.chunks.size()) {
        return core::Corruption("layout of " + source.name + " reads past the chunks of taxon " +
                                std::to_string(run.taxon));
      }
      TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(cur.chunks[cur.chunk]->id));
      if (bytes->size() != cur.chunks[cur.chunk]->bytes) {
        return core::Corruption("chunk " + cur.chunks[cur.chunk]->id.Hex() +
                                " is not the size its manifest says");
      }
      size_t take = std::min<uint64_t>(left, bytes->size() - cur.offset);
      TALARIA_RETURN_IF_ERROR(emit(std::string_view(*bytes).substr(cur.offset, take)));
      cur.offset += take;
      left -= take;
    }
  }
  if (written != source.size || hasher.Finish() != source.sha256) {
    return core::Corruption("rebuilt " + source.name +
                            " does not match its recorded size and SHA-256");
  }
  return core::OkStatus();
}

Status RemoveDatabaseVersion(WritableStore& store, const std::string& name,
                             const std::string& version) {
  TALARIA_ASSIGN_OR_RETURN(index::DatabaseVersion gone,
                           ResolveDatabase(store, name + "/" + version));
  TALARIA_ASSIGN_OR_RETURN(DatabaseManifest manifest, LoadManifest(store, gone.manifest));
  std::vector<index::DatabaseVersion> all;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(all, store.index().databases().List(txn));
  }
  std::set<ObjectId> still_used;
  std::vector<index::DatabaseVersion> remaining;
  for (const auto& v : all) {
    if (v.name == name && v.version == version) continue;
    remaining.push_back(v);
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, v.manifest));
    for (const ManifestChunk& c : m.chunks) still_used.insert(c.id);
  }
  TALARIA_ASSIGN_OR_RETURN(auto snapshot, PutCatalogSnapshot(store, remaining));
  return store.index().Update([&](index::WriteTxn& txn) -> Status {
    TALARIA_RETURN_IF_ERROR(store.index().databases().Delete(txn, name, version));
    TALARIA_RETURN_IF_ERROR(RecordCatalogSnapshot(store, txn, snapshot.first, snapshot.second));
    for (const ManifestChunk& c : manifest.chunks) {
      if (!still_used.count(c.id))
        TALARIA_RETURN_IF_ERROR(store.index().chunks().Remove(txn, c.id));
    }
    return core::OkStatus();
  });
}

std::vector<ObjectId> VersionObjects(const ObjectId& manifest_id, const DatabaseManifest& m) {
  std::vector<ObjectId> ids{manifest_id};
  for (const SourceFile& s : m.sources) ids.push_back(s.layout);
  for (const ManifestChunk& c : m.chunks) {
    ids.push_back(c.id);
    if (!c.fai.IsZero()) ids.push_back(c.fai);
  }
  return ids;
}

}  // namespace talaria::store
