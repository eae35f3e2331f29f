#pragma once

// Ingest of FASTA files as one database version (docs/ARCHITECTURE.md "Ingest"): records are
// streamed, grouped by taxon into content-defined chunks, hashed and
// compressed on the store's worker threads, and stored; a new chunk is
// stored as a byte delta against the most similar chunk of the same taxon
// in the database's previous version whenever that is smaller. The version
// is published (registered in the index) only at the very end: on any error
// the store is rolled back to exactly what it held before.
//
// Deterministic: the same input gives the same chunk and manifest ids,
// whatever the thread count. Re-running an interrupted ingest re-hashes but
// does not re-compress chunks already stored.
//
// Needs a writable store. Single-thread (uses the store's workers).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/catalog/names.h"
#include "store/core/object_id.h"
#include "store/fasta/chunker.h"
#include "store/fasta/fasta_reader.h"
#include "store/object/writable_store.h"
#include "store/pack/codec.h"

namespace talaria::store {

struct IngestProgress {
  uint64_t records = 0;
  uint64_t fasta_bytes = 0;        // decompressed FASTA bytes parsed
  uint64_t input_bytes_read = 0;   // on-disk bytes consumed (compressed or not)
  uint64_t input_bytes_total = 0;  // sum of input file sizes (0 if unknown, e.g. stdin)
  uint64_t chunks = 0;
};

struct IngestOptions {
  std::string database;
  std::string version;
  std::vector<std::string> files;  // "-" = standard input
  // NCBI *.accession2taxid tables; when given, a record's taxon is looked up
  // by its id first and taken from the header only if absent there.
  std::vector<std::string> taxmap_files;
  ChunkingOptions chunking;
  FastaOptions fasta;
  std::optional<CodecSpec> codec;
  bool delta_against_previous = true;
  // Open chunks (one per taxon) kept in memory before they move to a
  // scratch file under <store>/tmp; with a previous version to delta
  // against, the record ids that choose delta bases (up to 512 MiB) come out
  // of it too.
  uint64_t memory_budget_bytes = uint64_t{1} << 30;
  // Chunks are hashed, compressed and stored in batches of about this size.
  uint64_t batch_bytes = uint64_t{8} << 20;
  // Wall-clock seconds recorded in the index (not in any object); 0 = now.
  uint64_t now_unix_s = 0;
  std::function<void(const IngestProgress&)> progress;
};

struct IngestResult {
  bool resumed = false;         // an interrupted ingest of this version was found
  uint64_t resumed_chunks = 0;  // chunks it had stored (not compressed again)
  uint64_t taxmap_rows = 0;     // rows read from --taxmap tables
  uint64_t taxmap_hits = 0;     // records whose taxon came from them
  core::ObjectId manifest;
  std::string previous_version;  // the version deltas were made against, if any
  bool already_present = false;  // this exact version was already ingested
  uint64_t records = 0;
  uint64_t residues = 0;
  uint64_t fasta_bytes = 0;
  uint64_t chunks = 0;
  uint64_t taxa = 0;
  uint64_t chunks_new = 0;          // chunks not in the store before
  uint64_t chunks_delta = 0;        // new chunks stored as byte deltas
  uint64_t chunk_bytes_added = 0;   // stored bytes of the new chunks
  uint64_t stored_bytes_added = 0;  // pack bytes this ingest added
};

// kInvalidArgument for a bad name/version, or a version that exists with
// other content (versions are immutable); kParse for malformed FASTA.
core::Result<IngestResult> IngestDatabase(WritableStore& store, const IngestOptions& options);

}  // namespace talaria::store
