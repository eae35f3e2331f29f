#pragma once

// What could be saved in a store, and where (docs/ARCHITECTURE.md "Maintenance"): objects
// no database version needs, packs that are mostly dead or small, objects
// that would shrink at a higher compression level, chunks stored whole that
// would shrink as a byte delta against a chunk of the same taxon in another
// version, and hot/cold chunks from their access counts. Estimates come from
// samples of the objects (say how many); nothing is written.
//
// Thread-safe (as the ObjectStore; read-only).

#include <cstdint>
#include <string>
#include <vector>

#include "store/object/object_store.h"

namespace talaria::store {

struct PackFinding {
  uint64_t pack = 0;
  uint64_t bytes = 0;       // file size
  uint64_t live_bytes = 0;  // records of indexed objects
};

struct AnalyzeOptions {
  size_t sample = 64;                   // objects tried per estimate
  double sparse_below = 0.5;            // live fraction that makes a pack sparse
  uint64_t small_pack_bytes = 4 << 20;  // packs below this are small (not the current one)
};

struct AnalyzeReport {
  // Objects stored twice: content addressing indexes each content once, but
  // a rewrite (optimize) leaves the old copy in its pack until a repack.
  uint64_t duplicate_objects = 0;
  uint64_t duplicate_bytes = 0;
  uint64_t unreferenced_objects = 0;  // no database version (or delta) needs them
  uint64_t unreferenced_bytes = 0;    // their pack records
  std::vector<PackFinding> sparse_packs, small_packs;
  uint64_t sparse_dead_bytes = 0;
  // Whole (non-delta) objects recompressed at zstd:19, sampled.
  uint64_t recompress_sampled = 0;
  uint64_t recompress_saving_bytes = 0;  // extrapolated to all whole objects
  // Whole chunks with a same-taxon chunk in another version, as deltas, sampled.
  uint64_t delta_candidates = 0;
  uint64_t delta_sampled = 0;
  uint64_t delta_saving_bytes = 0;  // extrapolated to all candidates
  // Access counts recorded for chunks.
  uint64_t chunks_with_access = 0;
  std::vector<std::pair<core::ObjectId, uint64_t>> hottest;  // up to 10, most accessed first
  uint64_t cold_chunks = 0;                                  // chunks never accessed
};

core::Result<AnalyzeReport> Analyze(ObjectStore& store, const AnalyzeOptions& options);

}  // namespace talaria::store
