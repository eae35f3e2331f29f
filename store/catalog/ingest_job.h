#pragma once

// The work of one ingest up to, not including, its publication (ingest.h
// has the whole operation). IngestJob streams the input files through the
// chunker, stores each chunk (a byte delta against its BaseChooser base when
// that is smaller) with its record index, and fills in the version's
// manifest; IngestState records in the index's `state` table how far it got,
// so that a re-run of an interrupted ingest is recognised.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/catalog/base_chooser.h"
#include "store/catalog/ingest.h"
#include "store/catalog/manifest.h"
#include "store/catalog/taxmap.h"
#include "store/core/buffer_pool.h"
#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/fasta/chunker.h"
#include "store/fasta/fasta_reader.h"
#include "store/fasta/taxon_parser.h"
#include "store/object/writable_store.h"

namespace talaria::index {
class WriteTxn;
}  // namespace talaria::index

namespace talaria::store {

// The StatefulStorage operations for an ingest, in the index's `state` table,
// under a key naming the database and version; the record holds the input
// file names and the chunks stored so far. Failure: the index's errors.
// Single-thread.
class IngestState {
 public:
  IngestState(WritableStore& store, const IngestOptions& options);

  // Start: records the operation; if the same ingest was interrupted,
  // returns how many chunks it had stored.
  core::Result<std::optional<uint64_t>> Start();

  // Update: the chunks stored so far.
  core::Status Progress(uint64_t chunks_stored);

  // Complete (inside the publishing transaction) or abandon.
  core::Status Complete(index::WriteTxn& txn) const;
  core::Status Abandon();

 private:
  core::Status Save(uint64_t chunks_stored);

  WritableStore& store_;
  std::string key_;
  std::vector<std::string> files_;
};

// Reads `options.files` in order into `manifest` (sources, chunks, each
// source's layout object) and the counts of `result`. Chunks are hashed,
// compressed and stored on a background thread (and the store's workers),
// one batch at a time while parsing goes on; `state` hears of each batch.
// The manifest itself is neither stored nor published. Failure: kParse for
// malformed FASTA, kInvalidArgument for two inputs served under one name,
// the taxmap's and the store's errors; objects already stored stay for the
// caller to roll back. Single-thread (one Run() per job); `options`,
// `previous`, `taxmap` (may be null) and `state` must outlive the job.
class IngestJob {
 public:
  IngestJob(WritableStore& store, const IngestOptions& options, const DatabaseManifest* previous,
            TaxMap* taxmap, IngestState* state);

  // Never returns with a batch still in flight (a rollback may follow).
  core::Status Run(IngestResult* result, DatabaseManifest* manifest);

 private:
  struct ChunkMeta {
    uint64_t seq_in_taxon = 0;
    ManifestChunk chunk;
  };

  core::Status RunPipeline(DatabaseManifest* manifest);
  core::Status ReadSource(const std::string& path, std::vector<LayoutRun>* runs,
                          DatabaseManifest* manifest);

  // The record's taxa, first the one whose stream holds it; {0} when none
  // is found. Per accession (nr joins several with SOH bytes), precedence
  // (docs/ARCHITECTURE.md "Ingest"): the accession table, then the header.
  core::Status TaxaOf(const FastaRecord& rec, std::vector<TaxonId>* taxa);

  // The order of the small taxa in a shared stream: taxonomic (by lineage
  // from the root) when a taxonomy is loaded, else by taxon id.
  std::vector<TaxonId> SharedOrder(std::vector<TaxonId> taxa);

  void OnChunk(uint32_t source, ClosedChunk&& c);

  // Hands the pending chunks to a background thread that stores them, so
  // parsing goes on meanwhile; at most one batch is in flight. Returns the
  // outcome of the batch before it.
  core::Status Flush();

  // Waits for the batch in flight, if any, and returns how it went.
  core::Status Wait();

  // Runs on the batch thread: delta bases, hashing and compression (on the
  // store's workers), durable write, bookkeeping.
  core::Status StoreBatch(const std::vector<std::pair<uint32_t, ClosedChunk>>& batch);

  // Bytes of open chunks kept in memory before they spill: the ingest's
  // memory budget, less what the base chooser may take when there is one.
  uint64_t OpenChunkBudget() const;

  // The codec of record indexes: the ingest's, but zstd at least at level 9.
  CodecSpec FaiCodec() const;

  static std::map<core::ObjectId, core::ObjectId> PreviousIndexes(const DatabaseManifest* previous);

  // The previous version's layout pages for the source of the same name,
  // or at the same `index` of `count` sources when the version had as many
  // (empty: none, or no deltas against the previous version).
  std::vector<LayoutPageRef> PreviousLayout(const std::string& name, size_t index,
                                            size_t count) const;

  core::Status Finish(const std::vector<std::vector<LayoutRun>>& layouts, IngestResult* result,
                      DatabaseManifest* manifest);

  WritableStore& store_;
  const IngestOptions& options_;
  const DatabaseManifest* previous_;
  TaxMap* taxmap_;
  IngestState* state_;
  uint64_t taxmap_hits_ = 0;
  std::optional<bool> have_taxonomy_;
  std::map<TaxonId, std::vector<TaxonId>> lineage_keys_;  // taxon -> root..taxon
  BaseChooser chooser_;
  // The previous version's record index of each of its chunks.
  std::map<core::ObjectId, core::ObjectId> previous_fai_ = PreviousIndexes(previous_);
  // Chunk buffers, stored then reused: two batches of chunks, each buffer
  // having up to twice the room its chunk needed.
  core::BufferPool buffers_{4 * options_.batch_bytes};
  std::vector<std::pair<uint32_t, ClosedChunk>> pending_;  // (source, chunk)
  uint64_t pending_bytes_ = 0;
  std::vector<ChunkMeta> metas_;  // written by the batch thread; read after Wait()
  std::vector<std::vector<LayoutRun>> layouts_;
  std::thread inflight_;
  core::Status inflight_status_;
  core::Status deferred_;  // an error raised inside a chunker's sink
  IngestProgress progress_;
  uint64_t new_chunks_ = 0, new_deltas_ = 0, new_chunk_bytes_ = 0;
  bool dictionaries_checked_ = false;  // batch thread only
};

}  // namespace talaria::store
