#pragma once

// Taxonomy-aware, content-defined chunking (DESIGN §4). Records of one taxon
// are grouped, in input order, into chunks of min..max bytes. Whether a
// chunk ends after a record depends only on that record's bytes and on the
// chunk having reached min bytes, so inserting, removing or changing one
// record changes that taxon's chunk around it (and at most the next one),
// never the rest. A record larger than max is a chunk of its own.
//
// Single-thread.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/taxon_parser.h"

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

class Chunker {
 public:
  using Sink = std::function<void(ClosedChunk&&)>;
  Chunker(const ChunkingOptions& options, Sink sink) : options_(options), sink_(std::move(sink)) {}

  // Adds a record of `taxon`; closed chunks go to the sink.
  void Add(TaxonId taxon, std::string_view record, uint64_t residues);
  // Closes every open chunk (in taxon order).
  void Finish();
  // Bytes held in open chunks.
  uint64_t buffered_bytes() const { return buffered_; }

  // True if a chunk holding `chunk_bytes` ends after `record` (exposed for tests).
  static bool IsBoundary(std::string_view record, uint64_t chunk_bytes,
                         const ChunkingOptions& options);

 private:
  void Close(TaxonId taxon);

  ChunkingOptions options_;
  Sink sink_;
  std::map<TaxonId, ClosedChunk> open_;
  std::map<TaxonId, uint64_t> next_seq_;
  uint64_t next_serial_ = 0;
  uint64_t buffered_ = 0;
};

}  // namespace talaria::store
