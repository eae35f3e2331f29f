#pragma once

// The database version manifest (docs/FORMAT.md §4.5): an immutable object naming a
// database version's chunks and, per source file, the layout that gives
// the file back byte for byte. Manifests hold no clock time, so ingesting
// the same input twice gives the same manifest id.
//
// Encoding: a small canonical JSON root (keys sorted, no whitespace) naming
// pages, separate binary objects that hold the chunk rows, the taxon
// directory and each source's layout (store/catalog/manifest_pages.h), so a
// reader of one taxon or one range decodes only the pages it needs.
// Thread-safe (value types and pure functions).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/fasta/chunker.h"

namespace talaria::store {

// Format 3 moved the chunk rows and layouts into pages; format 2 (chunk rows
// inline, one layout object per source) added chunks shared by small taxa
// and records of several taxa (TaxonPiece); format 1 manifests are read as
// chunks of one taxon each. Only format 3 is written.
inline constexpr char kManifestFormat[] = "talaria-database-manifest/3";
inline constexpr char kManifestFormatV2[] = "talaria-database-manifest/2";
inline constexpr char kManifestFormatV1[] = "talaria-database-manifest/1";

struct ManifestChunk {
  core::ObjectId id;
  uint32_t source = 0;  // index into DatabaseManifest::sources
  // The stream the chunk belongs to: its taxon, or kSharedStream for a chunk
  // of the small taxa of its source.
  TaxonId taxon = 0;
  uint64_t records = 0;
  uint64_t residues = 0;
  uint64_t bytes = 0;
  // The chunk's FASTA record index (kind fasta_index); zero in manifests
  // written before there were such indexes.
  core::ObjectId fai;
  // Which records belong to which taxa, by offset (see TaxonPiece). Empty
  // when the whole chunk is one primary piece of `taxon`; use PiecesOf().
  std::vector<TaxonPiece> pieces;
};

// The taxon pieces of a chunk, never empty: `pieces`, or the one piece
// covering the chunk.
std::vector<TaxonPiece> PiecesOf(const ManifestChunk& c);
// Sets c->pieces from a chunker's pieces, leaving it empty when they are
// the single piece PiecesOf would give.
void SetPieces(ManifestChunk* c, std::vector<TaxonPiece> pieces);

// A byte range of one of a manifest's chunks.
struct ChunkRange {
  uint32_t chunk = 0;  // index into DatabaseManifest::chunks
  uint64_t offset = 0;
  uint64_t length = 0;
  bool operator==(const ChunkRange&) const = default;
};

// A contiguous piece of a source file: the next `length` bytes of taxon
// `taxon`'s stream. A taxon's stream is that source's chunks of the taxon,
// in manifest order, concatenated: the chunker fills them in file order, so the source is an
// interleaving of per-taxon streams and a layout needs no offsets or chunk
// numbers. An edited record changes one run; an update's layout is small
// as a delta against the previous version's.
struct LayoutRun {
  TaxonId taxon = 0;
  uint64_t length = 0;
  bool operator==(const LayoutRun&) const = default;
};

// A page of chunk rows: the next `chunks` rows of the manifest.
struct ChunkPageRef {
  core::ObjectId id;
  uint32_t chunks = 0;
  bool operator==(const ChunkPageRef&) const = default;
};

// A page of the taxon directory: `taxa` entries from taxon `first` on.
struct TaxonPageRef {
  core::ObjectId id;
  TaxonId first = 0;
  uint32_t taxa = 0;
  bool operator==(const TaxonPageRef&) const = default;
};

// A page of a source's layout: `runs` runs giving the next `bytes` bytes
// of the file. A format 1/2 layout is one page (`runs` and `bytes` 0:
// unknown until decoded).
struct LayoutPageRef {
  core::ObjectId id;
  uint64_t runs = 0;
  uint64_t bytes = 0;
  bool operator==(const LayoutPageRef&) const = default;
};

struct SourceFile {
  std::string name;        // served as databases/<db>/<version>/<name>
  std::string input_name;  // as given on the command line (basename)
  std::string encoding;    // "plain", "gzip" or "zstd" (of the input)
  uint64_t size = 0;       // bytes of the (decompressed) FASTA
  core::ObjectId sha256;   // of those bytes
  uint64_t records = 0;
  uint64_t residues = 0;
  std::string preamble;               // blank lines before the first record
  std::vector<LayoutPageRef> layout;  // the pages holding its LayoutRuns, in order
};

struct DatabaseManifest {
  int format = 3;  // as read (1, 2 or 3); only 3 is written
  std::string database;
  std::string version;
  ChunkingOptions chunking;
  std::vector<SourceFile> sources;
  // Format 3: the pages holding `chunks` and the taxon directory
  // (store/catalog/manifest_pages.h); empty in formats 1 and 2, whose rows
  // are inline.
  std::vector<ChunkPageRef> chunk_pages;
  std::vector<TaxonPageRef> taxon_pages;
  // By source, then stream, then stream order. Filled by DecodeManifest for
  // formats 1/2 and by LoadManifest (database_catalog.h) for every format.
  std::vector<ManifestChunk> chunks;
};

// The format 3 root: everything but the pages' contents (chunks ignored).
std::string EncodeManifest(const DatabaseManifest& m);
// The JSON object a manifest uses for one source (also printed by db show).
nlohmann::json SourceFileJson(const SourceFile& s);
// Any format; kCorruption for anything that is not a database manifest.
// A format 3 root comes back with `chunks` empty (see LoadManifest).
core::Result<DatabaseManifest> DecodeManifest(std::string_view json);
// Whether `m`'s chunk rows live in pages (format 3) rather than inline.
inline bool IsPaged(const DatabaseManifest& m) { return m.format >= 3; }
// Checks a chunk's pieces: primaries tile it and add up to its counts,
// secondaries lie inside it (kCorruption otherwise).
core::Status CheckPieces(const ManifestChunk& c);

// Calls `fn` with the ranges of `chunks` (a manifest's rows) that make up
// source number `source`, `file`, after its preamble, in file order, from
// its layout `runs`: run by run, the next bytes of that taxon's stream (its
// primary pieces among the source's chunks, in manifest order).
// kCorruption when the layout does not fit the chunks; stops at fn's first
// error.
core::Status ForEachLayoutRange(const std::vector<ManifestChunk>& chunks, uint32_t source,
                                const SourceFile& file, const std::vector<LayoutRun>& runs,
                                const std::function<core::Status(const ChunkRange&)>& fn);

// Each taxon's records in a version, primary and secondary pieces, as
// ranges in manifest order (chunk, then offset): what by-taxon/<taxid>/
// serves. Adjacent ranges of one chunk are merged.
std::map<TaxonId, std::vector<ChunkRange>> TaxonRanges(const DatabaseManifest& m);

// The union of several taxa's ranges, in manifest order, each byte once (a
// record of two of the taxa is listed once).
std::vector<ChunkRange> UnionOfRanges(std::vector<ChunkRange> ranges);

// Appends a record of `taxon` to `runs`, merging it into the last run when
// that is of the same taxon.
void AppendToLayout(std::vector<LayoutRun>* runs, TaxonId taxon, uint64_t length);

}  // namespace talaria::store
