#pragma once

// Reading the databases a store holds: resolving NAME[/VERSION], loading
// manifests and layouts, giving back a source file byte for byte, and the
// set of objects every registered version needs (gc roots).
//
// Thread-safe (as the ObjectStore).

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "index/entries.h"
#include "store/catalog/manifest.h"
#include "store/catalog/manifest_pages.h"
#include "store/object/writable_store.h"

namespace talaria::index {
class WriteTxn;
}  // namespace talaria::index

namespace talaria::store {

// "NAME" (its current version) or "NAME/VERSION". kNotFound names what is missing.
core::Result<index::DatabaseVersion> ResolveDatabase(ObjectStore& store, const std::string& spec);

// A manifest with its chunk rows (for format 3, every chunk page read).
core::Result<DatabaseManifest> LoadManifest(ObjectStore& store, const core::ObjectId& id);
// Only the root: for format 3 `chunks` stays empty (formats 1/2 have them inline).
core::Result<DatabaseManifest> LoadManifestRoot(ObjectStore& store, const core::ObjectId& id);

// Page `page` of a format 3 manifest's chunk rows, checked against its
// reference in the root (kCorruption otherwise).
core::Result<std::vector<ManifestChunk>> LoadChunkPage(ObjectStore& store,
                                                       const DatabaseManifest& m, size_t page);
// Page `page` of a format 3 manifest's taxon directory, checked against its
// reference (count, first taxon, order, page indexes in range).
core::Result<std::vector<TaxonEntry>> LoadTaxonPage(ObjectStore& store, const DatabaseManifest& m,
                                                    size_t page);
// The whole taxon directory: format 3 from its pages, formats 1/2 built
// from the inline chunk rows.
core::Result<std::vector<TaxonEntry>> LoadTaxonDirectory(ObjectStore& store,
                                                         const DatabaseManifest& m);

// A source's layout runs, every page read and checked against the root's
// counts and its own starts (kCorruption otherwise).
core::Result<std::vector<LayoutRun>> LoadLayout(ObjectStore& store, const SourceFile& source);

// Writes source file `source` of the manifest, byte for byte, to `out` in
// pieces (streamed: one chunk in memory at a time). Checks the SHA-256 of
// what it wrote against the manifest (kCorruption on mismatch).
core::Status ExportSource(ObjectStore& store, const DatabaseManifest& manifest,
                          const SourceFile& source,
                          const std::function<core::Status(std::string_view)>& out);

// Removes a version from the catalogue, and from the chunk tables every
// chunk no remaining version uses. The objects stay until gc.
// kNotFound if there is no such version.
core::Status RemoveDatabaseVersion(WritableStore& store, const std::string& name,
                                   const std::string& version);

// Adds every chunk of `m` to the chunk tables (docs/FORMAT.md §5.6), each
// under its stream's key (its taxon, or kSharedStream).
core::Status RegisterChunks(WritableStore& store, index::WriteTxn& txn, const DatabaseManifest& m);

// The taxa of a chunk's records, primary and secondary, ascending.
std::vector<uint32_t> ChunkTaxa(const ManifestChunk& c);

// The chunks of every registered version holding a record of any of `taxa`
// (from the manifests' pieces: exact, whatever stream the records are in).
core::Result<std::set<core::ObjectId>> ChunksHoldingTaxa(ObjectStore& store,
                                                         const std::set<uint32_t>& taxa);

// The objects one version needs (without delta bases): its manifest
// `manifest_id`, its pages, the layouts of its sources, its chunks and
// record indexes.
std::vector<core::ObjectId> VersionObjects(const core::ObjectId& manifest_id,
                                           const DatabaseManifest& m);

}  // namespace talaria::store
