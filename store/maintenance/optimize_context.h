#pragma once

// What the optimization strategies (store/maintenance/optimize.h) share, and
// the eight strategies themselves. Internal: only optimize*.cc include it.
//
// A strategy plans against the store as it is when it starts, fills its
// StrategyResult (candidates, changed, bytes_saved, one line of detail; the
// caller sets `strategy`) and returns the first error it meets; what it
// committed before that stays, consistent.
//   kEstimate  the rewriting strategies (DeltaEncoding, Dictionaries, Archival,
//              Compression)
//              encode a sample of their candidates, stratified by object kind
//              (about estimate_sample in all, at least one per kind), and
//              scale `changed` and `bytes_saved` up per kind; the others work
//              out what they would do, as in kDryRun. No target is checked.
//   kDryRun    every candidate is encoded (every chosen pack counted) and
//              nothing is written; bytes_saved is exact.
//   kRun       as kDryRun, and the work is written; each batch of rewrites
//              commits on its own.
// In kDryRun and kRun a rewriting strategy stops between batches once
// Context::TargetReached().
//
// bytes_saved of a rewrite is live record bytes (old record minus new): the
// old copy stays in its pack until Deduplication, Repacking or gc. That of
// Deduplication, Repacking and GarbageCollection is pack-file bytes: in kRun
// what the pack files shrank by, otherwise the dead bytes the chosen packs
// would give back. Caching saves nothing; it writes the warm list in kRun.
//
// Context::touched holds, in kRun only, every object a strategy wrote or moved
// to another pack (Optimize() re-reads them all at the end); it stays empty
// otherwise. Context::saved is what target_savings is checked against: what
// the rewrites saved in kDryRun and kRun, plus in kRun what repacks and gc
// gave back; kEstimate adds nothing to it (each strategy stands alone).
//
// Single-thread: a Context belongs to one Optimize() call; encoding fans out
// to effective_threads inside ApplyRewrites.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "store/catalog/manifest.h"
#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/core/store_paths.h"
#include "store/maintenance/optimize.h"
#include "store/maintenance/repack.h"
#include "store/object/object_store.h"
#include "store/object/writable_store.h"
#include "store/pack/frame.h"

namespace talaria::store::optimize_internal {

using Mode = OptimizeOptions::Mode;

// What every strategy works with.
struct Context {
  WritableStore& store;
  const OptimizeOptions& options;
  OptimizeReport* report;
  std::unordered_set<core::ObjectId> touched;  // objects written or moved (kRun)
  uint64_t saved = 0;                          // by the strategies so far

  bool writing() const { return options.mode == Mode::kRun; }
  bool TargetReached() const { return options.target_savings && saved >= *options.target_savings; }
  void Progress(const std::string& line) const {
    if (options.progress) options.progress(line);
  }
};

// The size of each pack file, by pack number; a file that cannot be sized is
// left out.
std::map<uint64_t, uint64_t> PackFileSizes(const StorePaths& paths);
// Their sum.
uint64_t PackFileBytes(const StorePaths& paths);

// Every object of the store, by id.
core::Result<std::map<core::ObjectId, ObjectInfo>> AllObjects(ObjectStore& store);

// The frame header of an object's stored record.
core::Result<FrameHeader> StoredFrame(ObjectStore& store, const ObjectInfo& info);

// Read counts of chunks: the index's, plus (unless they were just folded in)
// the files talariafs wrote since.
core::Result<std::unordered_map<core::ObjectId, uint64_t>> ChunkReads(ObjectStore& store,
                                                                      bool with_pending);

// Whether an object stored with `frame` would gain from zstd at `level`.
bool CompressedBelow(const FrameHeader& frame, int level);

// Every database version with its manifest, and which of them are current.
struct VersionSets {
  std::vector<std::pair<index::DatabaseVersion, DatabaseManifest>> versions;
  std::set<core::ObjectId> current_manifests;
};
core::Result<VersionSets> LoadVersions(ObjectStore& store);

// One planned rewrite of an object, kept only if its new record saves at
// least `min_gain` of `old_len`.
struct Rewrite {
  core::ObjectId id;
  PutOptions options;
  uint64_t old_len = 0;  // record bytes now
  double min_gain = 0;
};

// Encodes the planned rewrites and (kRun) writes those that save enough, in
// batches that each commit on their own; kEstimate encodes a sample.
core::Status ApplyRewrites(Context& ctx, const std::vector<Rewrite>& plan, StrategyResult* r);

// Repacks `packs` (kRun) or says what that would give back, from `usage` and
// the pack files' sizes `file_bytes`.
core::Status RepackAndCount(Context& ctx, const std::vector<uint64_t>& packs,
                            const std::map<uint64_t, PackUsage>& usage,
                            const std::map<uint64_t, uint64_t>& file_bytes, StrategyResult* r);

// The strategies (optimize.h says what each does), in the order they run.
core::Status GarbageCollection(Context& ctx, StrategyResult* r);
core::Status DeltaEncoding(Context& ctx, StrategyResult* r);
core::Status Dictionaries(Context& ctx, StrategyResult* r);
core::Status Archival(Context& ctx, StrategyResult* r);
core::Status Compression(Context& ctx, StrategyResult* r);
core::Status Deduplication(Context& ctx, StrategyResult* r);
core::Status Repacking(Context& ctx, StrategyResult* r);
core::Status Caching(Context& ctx, StrategyResult* r);

}  // namespace talaria::store::optimize_internal
