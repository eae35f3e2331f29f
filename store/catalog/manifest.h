#pragma once

// The database version manifest (docs/FORMAT.md §4.5): an immutable object naming a
// database version's chunks and, per source file, the layout that gives
// the file back byte for byte. Manifests hold no clock time, so ingesting
// the same input twice gives the same manifest id.
//
// Encoding: canonical JSON (keys sorted, no whitespace) for the manifest;
// each source's layout is a separate binary object (EncodeLayout) because
// it can be large. Thread-safe (value types and pure functions).

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/fasta/chunker.h"

namespace talaria::store {

inline constexpr char kManifestFormat[] = "talaria-database-manifest/1";

struct ManifestChunk {
  core::ObjectId id;
  uint32_t source = 0;  // index into DatabaseManifest::sources
  TaxonId taxon = 0;
  uint64_t records = 0;
  uint64_t residues = 0;
  uint64_t bytes = 0;
  // The chunk's FASTA record index (kind fasta_index); zero in manifests
  // written before there were such indexes.
  core::ObjectId fai;
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

struct SourceFile {
  std::string name;        // served as databases/<db>/<version>/<name>
  std::string input_name;  // as given on the command line (basename)
  std::string encoding;    // "plain", "gzip" or "zstd" (of the input)
  uint64_t size = 0;       // bytes of the (decompressed) FASTA
  core::ObjectId sha256;   // of those bytes
  uint64_t records = 0;
  uint64_t residues = 0;
  std::string preamble;   // blank lines before the first record
  core::ObjectId layout;  // object holding the LayoutRuns
};

struct DatabaseManifest {
  std::string database;
  std::string version;
  ChunkingOptions chunking;
  std::vector<SourceFile> sources;
  std::vector<ManifestChunk> chunks;  // by source, then taxon, then stream order
};

std::string EncodeManifest(const DatabaseManifest& m);
// The JSON object a manifest uses for one source (also printed by db show).
nlohmann::json SourceFileJson(const SourceFile& s);
// kCorruption for anything that is not a manifest of this format.
core::Result<DatabaseManifest> DecodeManifest(std::string_view json);

// Varint-encoded runs; consecutive runs of one chunk compress well.
std::string EncodeLayout(const std::vector<LayoutRun>& runs);
core::Result<std::vector<LayoutRun>> DecodeLayout(std::string_view bytes);

// Appends a record of `taxon` to `runs`, merging it into the last run when
// that is of the same taxon.
void AppendToLayout(std::vector<LayoutRun>* runs, TaxonId taxon, uint64_t length);

}  // namespace talaria::store
