#include "store/catalog/database_catalog.h"

#include <algorithm>
#include <iterator>
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

namespace {

// Object `id` decoded by `decode`; its errors name the object as a `what`.
template <typename Decode>
auto GetDecoded(ObjectStore& store, const ObjectId& id, const char* what, Decode decode)
    -> decltype(decode(std::string_view())) {
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(id));
  auto decoded = decode(std::string_view(*bytes));
  if (!decoded) return core::Propagate(decoded.error().WithContext(what + (" " + id.Hex())));
  return decoded;
}

}  // namespace

Result<DatabaseManifest> LoadManifestRoot(ObjectStore& store, const ObjectId& id) {
  return GetDecoded(store, id, "manifest", DecodeManifest);
}

Result<DatabaseManifest> LoadManifest(ObjectStore& store, const ObjectId& id) {
  TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifestRoot(store, id));
  if (!IsPaged(m)) return m;
  for (size_t p = 0; p < m.chunk_pages.size(); ++p) {
    auto rows = LoadChunkPage(store, m, p);
    if (!rows) return core::Propagate(rows.error().WithContext("manifest " + id.Hex()));
    std::move(rows->begin(), rows->end(), std::back_inserter(m.chunks));
  }
  return m;
}

Result<std::vector<ManifestChunk>> LoadChunkPage(ObjectStore& store, const DatabaseManifest& m,
                                                 size_t page) {
  if (page >= m.chunk_pages.size())
    return core::Corruption("no chunk page " + std::to_string(page));
  const ChunkPageRef& ref = m.chunk_pages[page];
  auto rows = GetDecoded(store, ref.id, "chunk page", [&](std::string_view bytes) {
    return DecodeChunkPage(bytes, m.sources.size());
  });
  if (!rows) return rows;
  if (rows->size() != ref.chunks) {
    return core::Corruption("chunk page " + ref.id.Hex() + " holds " +
                            std::to_string(rows->size()) + " rows, its manifest says " +
                            std::to_string(ref.chunks));
  }
  return rows;
}

Result<std::vector<TaxonEntry>> LoadTaxonPage(ObjectStore& store, const DatabaseManifest& m,
                                              size_t page) {
  if (page >= m.taxon_pages.size())
    return core::Corruption("no taxon page " + std::to_string(page));
  const TaxonPageRef& ref = m.taxon_pages[page];
  auto entries = GetDecoded(store, ref.id, "taxon page", DecodeTaxonPage);
  if (!entries) return entries;
  const bool last = page + 1 == m.taxon_pages.size();
  if (entries->size() != ref.taxa || entries->empty() || entries->front().taxon != ref.first ||
      (!last && entries->back().taxon >= m.taxon_pages[page + 1].first)) {
    return core::Corruption("taxon page " + ref.id.Hex() + " does not hold what its manifest says");
  }
  for (const TaxonEntry& e : *entries) {
    if (e.pages.empty() || e.pages.back() >= m.chunk_pages.size()) {
      return core::Corruption("taxon page " + ref.id.Hex() + " names a chunk page out of range");
    }
  }
  return entries;
}

Result<std::vector<TaxonEntry>> LoadTaxonDirectory(ObjectStore& store, const DatabaseManifest& m) {
  if (!IsPaged(m)) return BuildTaxonDirectory(m.chunks, {m.chunks.size()});
  std::vector<TaxonEntry> out;
  for (size_t p = 0; p < m.taxon_pages.size(); ++p) {
    TALARIA_ASSIGN_OR_RETURN(std::vector<TaxonEntry> page, LoadTaxonPage(store, m, p));
    std::move(page.begin(), page.end(), std::back_inserter(out));
  }
  return out;
}

Result<std::vector<LayoutRun>> LoadLayout(ObjectStore& store, const SourceFile& source) {
  std::vector<LayoutRun> runs;
  std::map<TaxonId, uint64_t> used;  // bytes of each stream read by earlier pages
  for (const LayoutPageRef& ref : source.layout) {
    TALARIA_ASSIGN_OR_RETURN(LayoutPage page,
                             GetDecoded(store, ref.id, "layout page", DecodeLayoutPage));
    const bool sized = ref.runs != 0 || ref.bytes != 0;  // format 3 pages say what they hold
    uint64_t page_bytes = 0;
    for (const LayoutRun& r : page.runs) page_bytes += r.length;
    bool fits = !sized || (page.runs.size() == ref.runs && page_bytes == ref.bytes);
    for (const LayoutStart& s : page.starts) fits = fits && used[s.taxon] == s.offset;
    if (sized) {  // and a start for every stream the page reads
      std::set<TaxonId> read;
      for (const LayoutRun& r : page.runs) read.insert(r.taxon);
      fits = fits && read.size() == page.starts.size() &&
             std::all_of(page.starts.begin(), page.starts.end(),
                         [&](const LayoutStart& s) { return read.count(s.taxon) > 0; });
    }
    if (!fits) {
      return core::Corruption("layout page " + ref.id.Hex() + " of " + source.name +
                              " does not fit the pages before it");
    }
    for (const LayoutRun& r : page.runs) used[r.taxon] += r.length;
    std::move(page.runs.begin(), page.runs.end(), std::back_inserter(runs));
  }
  return runs;
}

Status ExportSource(ObjectStore& store, const DatabaseManifest& manifest, const SourceFile& source,
                    const std::function<Status(std::string_view)>& out) {
  TALARIA_ASSIGN_OR_RETURN(std::vector<LayoutRun> runs, LoadLayout(store, source));
  const uint32_t index = static_cast<uint32_t>(&source - manifest.sources.data());
  if (index >= manifest.sources.size())
    return core::InvalidArgument("source is not of this manifest");
  core::Sha256Hasher hasher;
  uint64_t written = 0;
  auto emit = [&](std::string_view piece) -> Status {
    hasher.Update(piece);
    written += piece.size();
    return out(piece);
  };
  TALARIA_RETURN_IF_ERROR(emit(source.preamble));
  // Chunks come through the store's bounded cache, so memory stays bounded
  // however many taxa interleave.
  TALARIA_RETURN_IF_ERROR(
      ForEachLayoutRange(manifest.chunks, index, source, runs, [&](const ChunkRange& r) -> Status {
        const ManifestChunk& c = manifest.chunks[r.chunk];
        TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(c.id));
        if (bytes->size() != c.bytes) {
          return core::Corruption("chunk " + c.id.Hex() + " is not the size its manifest says");
        }
        return emit(std::string_view(*bytes).substr(r.offset, r.length));
      }));
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
      if (still_used.count(c.id)) continue;
      TALARIA_RETURN_IF_ERROR(store.index().chunks().Remove(txn, c.id));
    }
    return core::OkStatus();
  });
}

std::vector<uint32_t> ChunkTaxa(const ManifestChunk& c) {
  std::vector<uint32_t> taxa;
  for (const TaxonPiece& p : PiecesOf(c)) taxa.push_back(p.taxon);
  std::sort(taxa.begin(), taxa.end());
  taxa.erase(std::unique(taxa.begin(), taxa.end()), taxa.end());
  return taxa;
}

Result<std::set<ObjectId>> ChunksHoldingTaxa(ObjectStore& store, const std::set<uint32_t>& taxa) {
  std::vector<index::DatabaseVersion> versions;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(versions, store.index().databases().List(txn));
  }
  std::set<ObjectId> manifests, out;
  for (const auto& v : versions) {
    if (!manifests.insert(v.manifest).second) continue;
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, v.manifest));
    for (const ManifestChunk& c : m.chunks) {
      for (const TaxonPiece& p : PiecesOf(c)) {
        if (taxa.count(p.taxon)) {
          out.insert(c.id);
          break;
        }
      }
    }
  }
  return out;
}

Status RegisterChunks(WritableStore& store, index::WriteTxn& txn, const DatabaseManifest& m) {
  for (const ManifestChunk& c : m.chunks) {
    TALARIA_RETURN_IF_ERROR(store.index().chunks().Add(
        txn, c.id, index::ChunkMeta{c.taxon, c.records, c.residues, c.bytes, 0, 0}));
  }
  return core::OkStatus();
}

std::vector<ObjectId> VersionObjects(const ObjectId& manifest_id, const DatabaseManifest& m) {
  std::vector<ObjectId> ids{manifest_id};
  for (const ChunkPageRef& p : m.chunk_pages) ids.push_back(p.id);
  for (const TaxonPageRef& p : m.taxon_pages) ids.push_back(p.id);
  for (const SourceFile& s : m.sources) {
    for (const LayoutPageRef& p : s.layout) ids.push_back(p.id);
  }
  for (const ManifestChunk& c : m.chunks) {
    ids.push_back(c.id);
    if (!c.fai.IsZero()) ids.push_back(c.fai);
  }
  return ids;
}

}  // namespace talaria::store
