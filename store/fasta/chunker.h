#pragma once

// Taxonomy-aware, content-defined chunking (docs/ARCHITECTURE.md "Ingest"). Records of one taxon
// are grouped, in input order, into chunks of min..max bytes. Whether a
// chunk ends after a record depends only on that record's bytes and on the
// chunk having reached min bytes, so inserting, removing or changing one
// record changes that taxon's chunk around it (and at most the next one),
// never the rest. A record larger than max is a chunk of its own.
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
#include <string>
#include <string_view>
#include <vector>

#include "store/core/buffer_pool.h"
#include "store/core/status.h"
#include "store/core/unique_fd.h"
#include "store/fasta/taxon_parser.h"

namespace talaria::store {

struct ChunkingOptions {
  uint64_t min_chunk_bytes = 64 << 10;
  uint64_t max_chunk_bytes = 1 << 20;
  // Expected size; boundaries fall on average this far past the minimum.
  uint64_t target_chunk_bytes = 256 << 10;
};

// A finished chunk: the concatenated record texts of one taxon.
struct ClosedChunk {
  TaxonId taxon = 0;
  uint64_t serial = 0;        // order in which chunks were opened
  uint64_t seq_in_taxon = 0;  // 0, 1, 2 ... within its taxon
  std::string bytes;
  uint64_t records = 0;
  uint64_t residues = 0;
};

struct SpillOptions {
  uint64_t memory_budget_bytes = uint64_t{1} << 30;
  std::string spill_dir;  // empty: never spill
};

class Chunker {
 public:
  using Sink = std::function<void(ClosedChunk&&)>;
  // A chunk that grows past the minimum size takes its buffer from `pool`
  // when one is given (the sink may give the bytes back once used).
  Chunker(const ChunkingOptions& options, Sink sink, SpillOptions spill = {},
          core::BufferPool* pool = nullptr)
      : options_(options), sink_(std::move(sink)), spill_(std::move(spill)), pool_(pool) {}
  ~Chunker();
  Chunker(const Chunker&) = delete;
  Chunker& operator=(const Chunker&) = delete;

  // Adds a record of `taxon`; closed chunks go to the sink. Fails only on
  // scratch-file I/O.
  core::Status Add(TaxonId taxon, std::string_view record, uint64_t residues);
  // Closes every open chunk (in taxon order).
  core::Status Finish();
  // Bytes of open chunks held in memory, and moved to the scratch file so far.
  uint64_t buffered_bytes() const { return buffered_; }
  uint64_t spilled_bytes() const { return spilled_total_; }

  // True if a chunk holding `chunk_bytes` ends after `record` (exposed for tests).
  static bool IsBoundary(std::string_view record, uint64_t chunk_bytes,
                         const ChunkingOptions& options);

 private:
  struct Open {
    ClosedChunk chunk;                                   // `bytes` holds the tail not yet spilled
    uint64_t size = 0;                                   // all bytes, spilled or not
    std::vector<std::pair<uint64_t, uint64_t>> spilled;  // (offset, length) in the scratch file
  };
  core::Status Close(TaxonId taxon);
  core::Status Spill();

  ChunkingOptions options_;
  Sink sink_;
  SpillOptions spill_;
  core::BufferPool* pool_;
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
