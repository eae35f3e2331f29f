#pragma once

// Taxonomy-aware, content-defined chunking (docs/ARCHITECTURE.md "Ingest"). Records of one taxon
// are grouped, in input order, into chunks of min..max bytes. Whether a
// chunk ends after a record depends only on that record's bytes and on the
// chunk having reached min bytes, so inserting, removing or changing one
// record changes that taxon's chunk around it (and at most the next one),
// never the rest. A record larger than max is a chunk of its own.
//
// Small taxa share chunks: a taxon whose records, at the end of the input,
// are fewer than min bytes and never closed a chunk is "small". The small
// taxa's records form one shared stream — taxon by taxon in the order the
// caller gives (taxonomic neighbours together), each taxon's records in
// input order — cut by the same content-defined rule into chunks of stream
// kSharedStream. Each chunk says by TaxonPiece which byte ranges are which
// taxon's, so one taxon's records stay one contiguous range of the stream.
//
// A record may belong to further taxa (NCBI nr: one sequence, accessions of
// several organisms); it is stored once, in its first taxon's stream, and
// listed under the others by secondary pieces.
//
// Memory is bounded: when the open chunks of all taxa hold more than
// `memory_budget_bytes`, their bytes move to a scratch file (under
// `spill_dir`, removed with the Chunker) and come back when the chunk
// closes. Spilling never changes a chunk's bytes or boundaries.
//
// Single-thread.

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/core/buffer_pool.h"
#include "store/core/status.h"
#include "store/core/unique_fd.h"
#include "store/fasta/taxon_parser.h"

namespace talaria::store {

// The stream key of chunks shared by small taxa; never a real taxon.
inline constexpr TaxonId kSharedStream = 0xFFFFFFFF;

// A byte range of a chunk holding whole records of `taxon`. Primary pieces
// tile the chunk in order (the taxon whose stream holds the records);
// secondary pieces are single records that also belong to `taxon`.
struct TaxonPiece {
  TaxonId taxon = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t records = 0;
  uint64_t residues = 0;
  bool primary = true;
  bool operator==(const TaxonPiece&) const = default;
};

struct ChunkingOptions {
  uint64_t min_chunk_bytes = 64 << 10;
  uint64_t max_chunk_bytes = 1 << 20;
  // Expected size; boundaries fall on average this far past the minimum.
  uint64_t target_chunk_bytes = 256 << 10;
  // Small taxa share chunks (see above); off, every taxon has its own.
  // Not recorded in manifests: ingest always shares.
  bool share_small_taxa = true;
};

// A finished chunk: the concatenated record texts of one taxon's stream,
// or of the shared stream.
struct ClosedChunk {
  TaxonId taxon = 0;          // the stream: a taxon or kSharedStream
  uint64_t serial = 0;        // order in which chunks were opened
  uint64_t seq_in_taxon = 0;  // 0, 1, 2 ... within its stream
  std::string bytes;
  uint64_t records = 0;
  uint64_t residues = 0;
  std::vector<TaxonPiece> pieces;  // by offset; a primary before secondaries at one offset
};

struct SpillOptions {
  uint64_t memory_budget_bytes = uint64_t{1} << 30;
  std::string spill_dir;  // empty: never spill
};

class Chunker {
 public:
  using Sink = std::function<void(ClosedChunk&&)>;
  // Puts the small taxa in the order their records take in the shared
  // stream (a permutation of `taxa`, which come ascending).
  using SharedOrder = std::function<std::vector<TaxonId>(std::vector<TaxonId> taxa)>;
  // A chunk that grows past the minimum size takes its buffer from `pool`
  // when one is given (the sink may give the bytes back once used).
  // Without `order`, small taxa are in ascending taxon id.
  Chunker(const ChunkingOptions& options, Sink sink, SpillOptions spill = {},
          core::BufferPool* pool = nullptr, SharedOrder order = {})
      : options_(options),
        sink_(std::move(sink)),
        spill_(std::move(spill)),
        pool_(pool),
        order_(std::move(order)) {}
  ~Chunker();
  Chunker(const Chunker&) = delete;
  Chunker& operator=(const Chunker&) = delete;

  // Adds a record of `taxon` that also belongs to `also` (other taxa, none
  // equal to `taxon`, no repeats); closed chunks go to the sink. Fails only
  // on scratch-file I/O. `taxon` may not be kSharedStream.
  core::Status Add(TaxonId taxon, std::string_view record, uint64_t residues,
                   std::span<const TaxonId> also = {});
  // Closes every open chunk (large taxa in taxon order), then cuts the
  // shared stream of the small taxa.
  core::Status Finish();
  // Bytes of open chunks held in memory, and moved to the scratch file so far.
  uint64_t buffered_bytes() const { return buffered_; }
  uint64_t spilled_bytes() const { return spilled_total_; }

  // True if a chunk holding `chunk_bytes` ends after `record` (exposed for tests).
  static bool IsBoundary(std::string_view record, uint64_t chunk_bytes,
                         const ChunkingOptions& options);

 private:
  // A record of a taxon that has not closed a chunk (it may yet be small).
  struct RecordSize {
    uint64_t length = 0;
    uint64_t residues = 0;
    uint32_t also = 0;  // how many of the chunk's secondary pieces are this record's
  };
  struct Open {
    ClosedChunk chunk;                                   // `bytes` holds the tail not yet spilled
    uint64_t size = 0;                                   // all bytes, spilled or not
    std::vector<std::pair<uint64_t, uint64_t>> spilled;  // (offset, length) in the scratch file
    std::vector<RecordSize> record_sizes;  // kept while the taxon's first chunk is open
  };
  core::Status Close(TaxonId taxon);
  // The open chunk's whole bytes, back from the scratch file if need be.
  core::Status Gather(Open* o);
  core::Status Spill();
  // Cuts the shared stream out of the small taxa's open chunks.
  core::Status CutSharedStream(std::vector<TaxonId> small);

  ChunkingOptions options_;
  Sink sink_;
  SpillOptions spill_;
  core::BufferPool* pool_;
  SharedOrder order_;
  std::map<TaxonId, Open> open_;
  std::map<TaxonId, uint64_t> next_seq_;
  uint64_t next_serial_ = 0;
  uint64_t buffered_ = 0;
  core::UniqueFd spill_fd_;
  std::string spill_path_;
  uint64_t spill_end_ = 0;
  uint64_t spilled_total_ = 0;
};

}  // namespace talaria::store
