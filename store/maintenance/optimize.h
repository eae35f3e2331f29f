#pragma once

// Optimization strategies (docs/ARCHITECTURE.md "Maintenance"). Each one does real work on
// the store and says how many bytes it saved:
//
//   GarbageCollection  gc: drop what no database version needs, repack
//   DeltaEncoding      store a whole chunk (and its record index) as a byte
//                      delta against the most similar chunk of the same taxon
//                      in another version (LineSketch similarity; the chain
//                      depth stays within max_delta_depth)
//   Dictionaries       retrain the chunk zstd dictionary from the current
//                      versions' chunks when a new one would store them at
//                      least 3 % smaller (and pays for itself),
//                      and move whole chunks on an older dictionary (or
//                      none) to it; gc then drops the old one
//   Archival           recompress what only non-current versions need at
//                      zstd's maximum level
//   Compression        recompress cold objects (never read through a mount,
//                      from access counts) at a higher zstd level
//   Deduplication      drop the second copies of objects that a rewrite left
//                      behind in packs (the index points at the newer one)
//   Repacking          rewrite packs that hold dead bytes, and merge small
//                      packs into the writer's
//   Caching            write the warm list (store/maintenance/warm_list.h): the most read
//                      chunks, which talariafs preloads when it mounts
//
// They run in that order whatever order they are asked in. The rewriting
// strategies save live bytes: the copies they supersede stay in their packs
// until Deduplication, Repacking or gc gives them back, which they report as
// pack-file bytes. Every write commits atomically, so a run killed at any
// point leaves a consistent store, and running it again goes on from there
// (what is done is no longer a candidate). A real run ends by re-reading
// every object it wrote or moved and checking every database's references.
//
// Modes: kEstimate plans each strategy against the store as it is now (as
// if it ran alone) and encodes a sample of its candidates; kDryRun encodes
// every candidate; neither writes anything (not even the access counts).
//
// Needs a writable store for kRun (kBusy otherwise comes from Open). Not
// thread-safe against other writers of the same ObjectStore.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/object/writable_store.h"

namespace talaria::store {

enum class Strategy {
  kGarbageCollection,
  kDeltaEncoding,
  kDictionaries,
  kArchival,
  kCompression,
  kDeduplication,
  kRepacking,
  kCaching,
};

// In the order they run.
inline constexpr Strategy kAllStrategies[] = {
    Strategy::kGarbageCollection, Strategy::kDeltaEncoding, Strategy::kDictionaries,
    Strategy::kArchival,          Strategy::kCompression,   Strategy::kDeduplication,
    Strategy::kRepacking,         Strategy::kCaching};

std::string_view StrategyName(Strategy s);
// Case-insensitive; "all" is not a strategy (the caller expands it).
core::Result<Strategy> ParseStrategy(std::string_view name);

struct OptimizeOptions {
  enum class Mode { kRun, kDryRun, kEstimate };
  Mode mode = Mode::kRun;
  std::vector<Strategy> strategies;
  // Stop (between batches of work) once this many bytes are saved.
  std::optional<uint64_t> target_savings;
  // kEstimate: candidates encoded per strategy; the rest are extrapolated.
  size_t estimate_sample = 200;
  int compression_level = 19;  // Compression: zstd level for cold objects
  int archival_level = 22;     // Archival: zstd level for non-current versions
  // DeltaEncoding: least estimated share of lines a base must have in common.
  double min_similarity = 0.2;
  // A rewrite is kept only when it saves at least this fraction of the
  // object's record (deltas also cost reads, so they must save more).
  double min_gain = 0.02;
  double min_delta_gain = 0.1;
  // Repacking: packs with dead bytes are rewritten, and when two or more
  // packs (the writer's current one aside) are under this size they are
  // merged; 0: a quarter of max_pack_size.
  uint64_t small_pack_bytes = 0;
  // GarbageCollection: what gc keeps besides every database version.
  std::vector<core::ObjectId> extra_roots;
  // Called with one line of progress now and then.
  std::function<void(const std::string&)> progress;
};

struct StrategyResult {
  Strategy strategy{};
  uint64_t candidates = 0;   // objects (or packs) the strategy looked at closely
  uint64_t changed = 0;      // objects rewritten or packs repacked (would be, unless kRun)
  uint64_t bytes_saved = 0;  // actual (kRun), exact (kDryRun) or extrapolated (kEstimate)
  uint64_t sampled = 0;      // kEstimate: candidates actually encoded
  std::string detail;        // one line of what was done, for people
  bool skipped = false;      // not run: the target was already reached
};

struct OptimizeReport {
  OptimizeOptions::Mode mode{};
  std::vector<StrategyResult> results;
  uint64_t pack_bytes_before = 0, pack_bytes_after = 0;  // sizes of the pack files
  uint64_t access_reads_folded = 0;                      // from talariafs's access files
  bool target_reached = false;
  // kRun: the final check.
  uint64_t verified_objects = 0;
  uint64_t verified_references = 0;
  std::vector<std::string> verify_problems;
  // kRun: what the pack files shrank by (a rewrite's saving reaches the disk
  // when its old copies go, so the strategies' savings do not add up);
  // otherwise the sum of the strategies' estimates, each as if alone.
  uint64_t bytes_saved() const;
};

core::Result<OptimizeReport> Optimize(WritableStore& store, const OptimizeOptions& options);

}  // namespace talaria::store
