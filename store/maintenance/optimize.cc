#include "store/maintenance/optimize.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/core/human_bytes.h"
#include "store/core/parallel.h"
#include "store/maintenance/access_fold.h"
#include "store/maintenance/gc.h"
#include "store/maintenance/line_sketch.h"
#include "store/maintenance/live_set.h"
#include "store/maintenance/repack.h"
#include "store/maintenance/roots.h"
#include "store/maintenance/verify.h"
#include "store/maintenance/warm_list.h"
#include "store/object/access_log.h"
#include "store/pack/frame.h"
#include "store/pack/pack_format.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;
using Mode = OptimizeOptions::Mode;

namespace {

constexpr size_t kBatchObjects = 32;

std::map<uint64_t, uint64_t> PackFileSizes(const StorePaths& paths) {
  std::map<uint64_t, uint64_t> sizes;
  for (const auto& [pack, path] : paths.ListPackFiles()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) sizes[pack] = size;
  }
  return sizes;
}

uint64_t PackFileBytes(const StorePaths& paths) {
  uint64_t total = 0;
  for (const auto& [pack, size] : PackFileSizes(paths)) total += size;
  return total;
}

// What every strategy works with.
struct Context {
  WritableStore& store;
  const OptimizeOptions& options;
  OptimizeReport* report;
  std::unordered_set<ObjectId> touched;  // objects written or moved (kRun)
  uint64_t saved = 0;                    // by the strategies so far

  bool writing() const { return options.mode == Mode::kRun; }
  bool TargetReached() const { return options.target_savings && saved >= *options.target_savings; }
  void Progress(const std::string& line) const {
    if (options.progress) options.progress(line);
  }
};

Result<std::map<ObjectId, ObjectInfo>> AllObjects(ObjectStore& store) {
  std::map<ObjectId, ObjectInfo> objects;
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectInfo> list, store.List());
  for (ObjectInfo& o : list) objects.emplace(o.id, std::move(o));
  return objects;
}

// The frame header of an object's stored record.
Result<FrameHeader> StoredFrame(ObjectStore& store, const ObjectInfo& info) {
  TALARIA_ASSIGN_OR_RETURN(Record r, store.pack_reader().Read(info.entry.pack, info.entry.offset,
                                                              info.entry.record_len));
  return ParseFrameHeader(r.frame());
}

// Read counts of chunks: the index's, plus (unless they were just folded in)
// the files talariafs wrote since.
Result<std::unordered_map<ObjectId, uint64_t>> ChunkReads(ObjectStore& store, bool with_pending) {
  std::unordered_map<ObjectId, uint64_t> reads;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_RETURN_IF_ERROR(store.index().chunks().ForEach(
        txn, [&](const ObjectId& id, const index::ChunkMeta& meta) -> Status {
          reads[id] = meta.access_count;
          return core::OkStatus();
        }));
  }
  if (with_pending) {
    TALARIA_ASSIGN_OR_RETURN(AccessCounts pending, PendingAccess(store.paths()));
    for (const auto& [id, n] : pending) {
      auto it = reads.find(id);
      if (it != reads.end()) it->second += n;
    }
  }
  return reads;
}

// --- strategies that rewrite objects -------------------------------------

struct Rewrite {
  ObjectId id;
  PutOptions options;
  uint64_t old_len = 0;  // record bytes now
  double min_gain = 0;
};

// The new record of one planned rewrite, or nullopt when it does not save
// enough to be worth writing.
Result<std::optional<WritableStore::Prepared>> Encode(WritableStore& store, const Rewrite& w) {
  TALARIA_ASSIGN_OR_RETURN(auto raw, store.GetUncounted(w.id));
  TALARIA_ASSIGN_OR_RETURN(WritableStore::Prepared p, store.Prepare(w.id, *raw, w.options));
  if (static_cast<double>(p.header.record_len()) >
      (1.0 - w.min_gain) * static_cast<double>(w.old_len)) {
    return std::optional<WritableStore::Prepared>();
  }
  return std::optional<WritableStore::Prepared>(std::move(p));
}

// Encodes `indexes` of `plan` in parallel.
Result<std::vector<std::optional<WritableStore::Prepared>>> EncodeAll(
    WritableStore& store, const std::vector<Rewrite>& plan, const std::vector<size_t>& indexes) {
  std::vector<Result<std::optional<WritableStore::Prepared>>> out(indexes.size());
  core::ParallelFor(indexes.size(), store.config().effective_threads(),
                    [&](size_t i) { out[i] = Encode(store, plan[indexes[i]]); });
  std::vector<std::optional<WritableStore::Prepared>> encoded;
  for (auto& r : out) {
    if (!r) return core::Propagate(r.error());
    encoded.push_back(std::move(*r));
  }
  return encoded;
}

// Encodes the planned rewrites and (kRun) writes those that save enough, in
// batches that each commit on their own.
Status ApplyRewrites(Context& ctx, const std::vector<Rewrite>& plan, StrategyResult* r) {
  r->candidates = plan.size();
  if (plan.empty()) return core::OkStatus();
  if (ctx.options.mode == Mode::kEstimate) {
    // A stratified sample (chunks and record indexes shrink differently),
    // each stratum scaled by its bytes.
    std::map<ObjectKind, std::vector<size_t>> strata;
    for (size_t i = 0; i < plan.size(); i++) strata[plan[i].options.kind].push_back(i);
    std::vector<size_t> sample;
    for (const auto& [kind, members] : strata) {
      const size_t n = std::clamp<size_t>(
          ctx.options.estimate_sample * members.size() / plan.size(), 1, members.size());
      for (size_t k = 0; k < n; k++) sample.push_back(members[k * members.size() / n]);
    }
    TALARIA_ASSIGN_OR_RETURN(auto encoded, EncodeAll(ctx.store, plan, sample));
    struct Tally {
      uint64_t old_bytes = 0, saved = 0, changed = 0, sampled = 0;
    };
    std::map<ObjectKind, Tally> tallies;
    for (size_t i = 0; i < sample.size(); i++) {
      const Rewrite& w = plan[sample[i]];
      Tally& t = tallies[w.options.kind];
      t.sampled++;
      t.old_bytes += w.old_len;
      if (!encoded[i]) continue;
      t.saved += w.old_len - encoded[i]->header.record_len();
      t.changed++;
    }
    double saved = 0, changed = 0;
    for (const auto& [kind, members] : strata) {
      const Tally& t = tallies[kind];
      uint64_t old_bytes = 0;
      for (size_t i : members) old_bytes += plan[i].old_len;
      if (t.old_bytes > 0) {
        saved += static_cast<double>(old_bytes) * static_cast<double>(t.saved) /
                 static_cast<double>(t.old_bytes);
      }
      changed += static_cast<double>(members.size()) * static_cast<double>(t.changed) /
                 static_cast<double>(t.sampled);
    }
    r->sampled = sample.size();
    r->bytes_saved = static_cast<uint64_t>(saved);
    r->changed = static_cast<uint64_t>(changed + 0.5);
    return core::OkStatus();
  }
  for (size_t start = 0; start < plan.size() && !ctx.TargetReached(); start += kBatchObjects) {
    std::vector<size_t> batch;
    for (size_t i = start; i < std::min(plan.size(), start + kBatchObjects); i++)
      batch.push_back(i);
    TALARIA_ASSIGN_OR_RETURN(auto encoded, EncodeAll(ctx.store, plan, batch));
    std::vector<WritableStore::Prepared> records;
    uint64_t saved = 0;
    for (size_t i = 0; i < batch.size(); i++) {
      if (!encoded[i]) continue;
      saved += plan[batch[i]].old_len - encoded[i]->header.record_len();
      records.push_back(std::move(*encoded[i]));
    }
    if (ctx.writing() && !records.empty()) {
      for (const auto& rec : records) ctx.touched.insert(rec.header.id);
      TALARIA_RETURN_IF_ERROR(ctx.store.WriteRecords(records, /*skip_existing=*/false));
    }
    r->changed += records.size();
    r->bytes_saved += saved;
    ctx.saved += saved;
    ctx.Progress(std::string(StrategyName(r->strategy)) + ": " +
                 std::to_string(std::min(plan.size(), start + kBatchObjects)) + "/" +
                 std::to_string(plan.size()) + " objects, " + core::HumanBytes(r->bytes_saved) +
                 " saved");
  }
  return core::OkStatus();
}

// Whether an object stored with `frame` would gain from zstd at `level`.
bool CompressedBelow(const FrameHeader& frame, int level) {
  if (frame.codec == CodecType::kNone) return false;  // stored plain: incompressible
  if (frame.codec != CodecType::kZstd) return true;
  return frame.level < level;
}

Status Compression(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto objects, AllObjects(ctx.store));
  TALARIA_ASSIGN_OR_RETURN(auto reads, ChunkReads(ctx.store, !ctx.writing()));
  std::vector<Rewrite> plan;
  uint64_t hot = 0;
  for (const auto& [id, info] : objects) {
    if (!info.entry.base.IsZero()) continue;  // deltas: DeltaEncoding and Archival
    auto it = reads.find(id);
    if (it != reads.end() && it->second > 0) {
      hot++;
      continue;
    }
    TALARIA_ASSIGN_OR_RETURN(FrameHeader frame, StoredFrame(ctx.store, info));
    if (!CompressedBelow(frame, ctx.options.compression_level)) continue;
    PutOptions o;
    o.kind = info.kind();
    o.codec = CodecSpec{CodecType::kZstd, ctx.options.compression_level};
    plan.push_back(Rewrite{id, o, info.entry.record_len, ctx.options.min_gain});
  }
  TALARIA_RETURN_IF_ERROR(ApplyRewrites(ctx, plan, r));
  r->detail = std::to_string(r->changed) + " of " + std::to_string(plan.size()) +
              " cold objects shrink at zstd:" + std::to_string(ctx.options.compression_level) +
              " (" + std::to_string(hot) + " read chunks left alone)";
  return core::OkStatus();
}

struct VersionSets {
  std::vector<std::pair<index::DatabaseVersion, DatabaseManifest>> versions;
  std::set<ObjectId> current_manifests;
};

Result<VersionSets> LoadVersions(ObjectStore& store) {
  VersionSets v;
  std::vector<index::DatabaseVersion> list;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(list, store.index().databases().List(txn));
    for (const auto& dv : list) {
      TALARIA_ASSIGN_OR_RETURN(auto current, store.index().databases().Current(txn, dv.name));
      if (current && current->manifest == dv.manifest) v.current_manifests.insert(dv.manifest);
    }
  }
  for (auto& dv : list) {
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, dv.manifest));
    v.versions.emplace_back(std::move(dv), std::move(m));
  }
  return v;
}

Status Archival(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto objects, AllObjects(ctx.store));
  TALARIA_ASSIGN_OR_RETURN(VersionSets v, LoadVersions(ctx.store));
  std::vector<ObjectId> current_roots, old_roots;
  size_t old_versions = 0;
  for (const auto& [dv, m] : v.versions) {
    auto ids = VersionObjects(dv.manifest, m);
    const bool current = v.current_manifests.count(dv.manifest) > 0;
    old_versions += !current;
    auto& roots = current ? current_roots : old_roots;
    roots.insert(roots.end(), ids.begin(), ids.end());
  }
  const std::set<ObjectId> current = WithDeltaBases(objects, current_roots);
  std::vector<Rewrite> plan;
  for (const ObjectId& id : WithDeltaBases(objects, old_roots)) {
    auto it = objects.find(id);
    if (current.count(id) || it == objects.end()) continue;
    const ObjectInfo& info = it->second;
    TALARIA_ASSIGN_OR_RETURN(FrameHeader frame, StoredFrame(ctx.store, info));
    if (!CompressedBelow(frame, ctx.options.archival_level)) continue;
    PutOptions o;
    o.kind = info.kind();
    o.codec = CodecSpec{CodecType::kZstd, ctx.options.archival_level};
    if (!info.entry.base.IsZero()) o.base = info.entry.base;  // a delta stays a delta
    plan.push_back(Rewrite{id, o, info.entry.record_len, ctx.options.min_gain});
  }
  TALARIA_RETURN_IF_ERROR(ApplyRewrites(ctx, plan, r));
  r->detail = std::to_string(r->changed) + " of " + std::to_string(plan.size()) +
              " objects only older versions need (" + std::to_string(old_versions) +
              " versions) shrink at zstd:" + std::to_string(ctx.options.archival_level);
  return core::OkStatus();
}

// A chunk of one version, with its record index.
struct TaxonChunk {
  ObjectId chunk, fai, manifest;
  bool current = false;
};

Status DeltaEncoding(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto objects, AllObjects(ctx.store));
  TALARIA_ASSIGN_OR_RETURN(VersionSets v, LoadVersions(ctx.store));
  std::set<ObjectId> bases_in_use;  // a delta's base: it must not move down a chain
  for (const auto& [id, info] : objects) {
    if (!info.entry.base.IsZero()) bases_in_use.insert(info.entry.base);
  }
  std::map<TaxonId, std::vector<TaxonChunk>> by_taxon;
  std::set<ObjectId> listed;
  for (const auto& [dv, m] : v.versions) {
    const bool current = v.current_manifests.count(dv.manifest) > 0;
    for (const ManifestChunk& c : m.chunks) {
      if (!listed.insert(c.id).second) continue;  // shared by versions: one entry
      by_taxon[c.taxon].push_back(TaxonChunk{c.id, c.fai, dv.manifest, current});
    }
  }
  const unsigned max_depth = ctx.store.config().max_delta_depth;
  auto whole = [&](const ObjectId& id) {
    auto it = objects.find(id);
    return it != objects.end() && it->second.entry.base.IsZero() && !bases_in_use.count(id);
  };
  auto depth_of = [&](const ObjectId& id) -> unsigned {
    auto it = objects.find(id);
    return it == objects.end() ? max_depth : it->second.entry.depth;
  };
  std::vector<Rewrite> plan;
  std::set<ObjectId> converted;
  uint64_t pairs_seen = 0;
  for (auto& [taxon, chunks] : by_taxon) {
    if (chunks.size() < 2) continue;
    // Chunks of older versions first: they become deltas of current ones,
    // so what is read most stays whole.
    std::stable_sort(chunks.begin(), chunks.end(), [](const TaxonChunk& a, const TaxonChunk& b) {
      return a.current < b.current;
    });
    std::vector<LineSketch> sketches;
    for (const TaxonChunk& c : chunks) {
      TALARIA_ASSIGN_OR_RETURN(auto bytes, ctx.store.GetUncounted(c.chunk));
      sketches.push_back(LineSketch::Of(*bytes));
    }
    for (size_t i = 0; i < chunks.size(); i++) {
      const TaxonChunk& c = chunks[i];
      if (!whole(c.chunk) || converted.count(c.chunk)) continue;
      size_t best = chunks.size();
      double best_similarity = ctx.options.min_similarity;
      for (size_t j = 0; j < chunks.size(); j++) {
        const TaxonChunk& b = chunks[j];
        if (j == i || b.manifest == c.manifest || converted.count(b.chunk) ||
            depth_of(b.chunk) + 1 > max_depth) {
          continue;
        }
        const double s = sketches[i].Similarity(sketches[j]);
        if (s > best_similarity) {
          best_similarity = s;
          best = j;
        }
      }
      if (best == chunks.size()) continue;
      pairs_seen++;
      const TaxonChunk& b = chunks[best];
      auto add = [&](const ObjectId& id, const ObjectId& base) {
        PutOptions o;
        o.kind = objects.at(id).kind();
        o.base = base;
        plan.push_back(Rewrite{id, o, objects.at(id).entry.record_len, ctx.options.min_delta_gain});
        converted.insert(id);
        bases_in_use.insert(base);
      };
      add(c.chunk, b.chunk);
      if (!c.fai.IsZero() && !b.fai.IsZero() && c.fai != b.fai && whole(c.fai) &&
          !converted.count(c.fai) && !converted.count(b.fai) && depth_of(b.fai) + 1 <= max_depth) {
        add(c.fai, b.fai);
      }
    }
  }
  TALARIA_RETURN_IF_ERROR(ApplyRewrites(ctx, plan, r));
  r->detail = std::to_string(r->changed) + " of " + std::to_string(plan.size()) +
              " objects shrink as deltas against the most similar chunk of their taxon (" +
              std::to_string(pairs_seen) + " chunk pairs over " +
              std::to_string(static_cast<int>(ctx.options.min_similarity * 100)) +
              "% similar; depth <= " + std::to_string(max_depth) + ")";
  return core::OkStatus();
}

// --- strategies that rewrite packs -----------------------------------------

// Repacks `packs` (kRun) or says what that would give back.
Status RepackAndCount(Context& ctx, const std::vector<uint64_t>& packs,
                      const std::map<uint64_t, PackUsage>& usage,
                      const std::map<uint64_t, uint64_t>& file_bytes, StrategyResult* r) {
  r->changed = packs.size();
  if (packs.empty()) return core::OkStatus();
  TALARIA_ASSIGN_OR_RETURN(uint64_t current, ctx.store.CurrentPack());
  if (!ctx.writing()) {
    uint64_t saved = 0;
    for (uint64_t p : packs) {
      const uint64_t live = usage.count(p) ? usage.at(p).live_bytes : 0;
      saved += file_bytes.at(p) - std::min(file_bytes.at(p), live);
      if (p == current) saved -= std::min<uint64_t>(saved, kPackHeaderSize);  // a fresh pack
    }
    r->bytes_saved = saved;
    return core::OkStatus();
  }
  const uint64_t before = PackFileBytes(ctx.store.paths());
  RepackStats stats;
  TALARIA_RETURN_IF_ERROR(RepackPacks(ctx.store, packs, &stats));
  for (const ObjectId& id : stats.moved) ctx.touched.insert(id);
  const uint64_t after = PackFileBytes(ctx.store.paths());
  r->changed = stats.packs_repacked;
  r->bytes_saved = before > after ? before - after : 0;
  ctx.saved += r->bytes_saved;
  for (const auto& p : stats.problems) r->detail += "problem: " + p + "; ";
  return core::OkStatus();
}

Status Deduplication(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto usage, IndexedPackUsage(ctx.store));
  const auto sizes = PackFileSizes(ctx.store.paths());
  TALARIA_ASSIGN_OR_RETURN(SupersededCopies found, FindSupersededCopies(ctx.store, usage));
  r->candidates = found.copies;
  TALARIA_RETURN_IF_ERROR(RepackAndCount(ctx, found.packs, usage, sizes, r));
  r->detail = std::to_string(found.copies) + " superseded copies (" +
              core::HumanBytes(found.bytes) + ") in " + std::to_string(found.packs.size()) +
              " packs, " + (ctx.writing() ? "rewritten without them" : "to rewrite without them");
  return core::OkStatus();
}

Status Repacking(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto usage, IndexedPackUsage(ctx.store));
  const auto sizes = PackFileSizes(ctx.store.paths());
  TALARIA_ASSIGN_OR_RETURN(uint64_t current, ctx.store.CurrentPack());
  const uint64_t small_below = ctx.options.small_pack_bytes > 0
                                   ? ctx.options.small_pack_bytes
                                   : ctx.store.config().max_pack_bytes / 4;
  std::vector<uint64_t> packs, small;
  for (const auto& [pack, u] : usage) {
    auto size = sizes.find(pack);
    if (size == sizes.end()) continue;
    r->candidates++;
    if (size->second > u.live_bytes + kPackHeaderSize) {
      packs.push_back(pack);
    } else if (pack != current && size->second < small_below) {
      small.push_back(pack);
    }
  }
  const size_t sparse = packs.size();
  if (small.size() >= 2) packs.insert(packs.end(), small.begin(), small.end());
  std::sort(packs.begin(), packs.end());
  TALARIA_RETURN_IF_ERROR(RepackAndCount(ctx, packs, usage, sizes, r));
  r->detail = std::to_string(sparse) + " packs with dead bytes and " +
              std::to_string(packs.size() - sparse) + " small packs " +
              (ctx.writing() ? "rewritten into the writer's" : "to rewrite into the writer's");
  return core::OkStatus();
}

Status GarbageCollection(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectId> roots, DatabaseRoots(ctx.store));
  roots.insert(roots.end(), ctx.options.extra_roots.begin(), ctx.options.extra_roots.end());
  if (roots.empty()) {
    r->detail = "no database versions and no roots given: nothing is collected";
    return core::OkStatus();
  }
  GcOptions gc;
  gc.dry_run = !ctx.writing();
  gc.repack_threshold = ctx.store.config().repack_threshold;
  const uint64_t before = PackFileBytes(ctx.store.paths());
  TALARIA_ASSIGN_OR_RETURN(GcResult g, CollectGarbage(ctx.store, roots, gc));
  r->candidates = g.objects_before;
  r->changed = g.objects_removed;
  if (ctx.writing()) {
    for (const ObjectId& id : g.moved) ctx.touched.insert(id);
    const uint64_t after = PackFileBytes(ctx.store.paths());
    r->bytes_saved = before > after ? before - after : 0;
    ctx.saved += r->bytes_saved;
  } else {
    r->bytes_saved = g.bytes_reclaimed;
  }
  r->detail = std::to_string(g.objects_removed) + " unreferenced objects (" +
              core::HumanBytes(g.bytes_removed) + "), " + std::to_string(g.packs_repacked) +
              (ctx.writing() ? " packs repacked" : " packs to repack");
  for (const auto& p : g.problems) r->detail += "; problem: " + p;
  return core::OkStatus();
}

Status Caching(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto reads, ChunkReads(ctx.store, !ctx.writing()));
  std::vector<std::pair<uint64_t, ObjectId>> hot;
  for (const auto& [id, n] : reads) {
    if (n > 0) hot.emplace_back(n, id);
  }
  std::sort(hot.begin(), hot.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  r->candidates = hot.size();
  if (hot.empty()) {
    r->detail = "no reads recorded yet (talariafs counts them into " +
                ctx.store.paths().access_dir() + "); warm list left as it is";
    return core::OkStatus();
  }
  const uint64_t budget = ctx.store.config().cache_bytes / 2;
  std::vector<ObjectId> warm;
  uint64_t bytes = 0;
  for (const auto& [n, id] : hot) {
    auto info = ctx.store.Stat(id);
    if (!info || bytes + info->entry.raw_len > budget) continue;
    bytes += info->entry.raw_len;
    warm.push_back(id);
  }
  r->changed = warm.size();
  if (ctx.writing()) {
    TALARIA_RETURN_IF_ERROR(
        WriteWarmList(ctx.store.paths(), warm,
                      "written by talaria-store optimize: the " + std::to_string(warm.size()) +
                          " most read chunks that fit half the cache; talariafs preloads them"));
  }
  r->detail = "warm list of " + std::to_string(warm.size()) + " of " + std::to_string(hot.size()) +
              " read chunks (" + core::HumanBytes(bytes) + ", half of the " +
              core::HumanBytes(ctx.store.config().cache_bytes) + " cache)";
  return core::OkStatus();
}

Status RunStrategy(Context& ctx, Strategy s, StrategyResult* r) {
  switch (s) {
    case Strategy::kGarbageCollection:
      return GarbageCollection(ctx, r);
    case Strategy::kDeltaEncoding:
      return DeltaEncoding(ctx, r);
    case Strategy::kArchival:
      return Archival(ctx, r);
    case Strategy::kCompression:
      return Compression(ctx, r);
    case Strategy::kDeduplication:
      return Deduplication(ctx, r);
    case Strategy::kRepacking:
      return Repacking(ctx, r);
    case Strategy::kCaching:
      return Caching(ctx, r);
  }
  return core::InvalidArgument("unknown strategy");
}

// Re-reads every object the run wrote or moved (bypassing the cache) and
// checks every database version's references.
Status VerifyTouched(Context& ctx) {
  std::vector<ObjectId> ids(ctx.touched.begin(), ctx.touched.end());
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> problems(ids.size());
  core::ParallelFor(ids.size(), ctx.store.config().effective_threads(), [&](size_t i) {
    ctx.store.cache().Erase(ids[i]);
    auto bytes = ctx.store.GetUncounted(ids[i]);
    if (!bytes) problems[i] = ids[i].Hex() + ": " + bytes.error().message();
  });
  for (auto& p : problems) {
    if (!p.empty()) ctx.report->verify_problems.push_back(std::move(p));
  }
  ctx.report->verified_objects = ids.size();
  VerifyOptions refs;
  refs.sample = 0;  // the objects were just read; check the references
  TALARIA_ASSIGN_OR_RETURN(VerifyReport v, VerifyStore(ctx.store, refs));
  ctx.report->verified_references = v.references_checked;
  for (const auto& e : v.errors) {
    ctx.report->verify_problems.push_back(
        e.id.Hex() + ": " + std::string(VerifyErrorKindName(e.kind)) + ": " + e.detail);
  }
  return core::OkStatus();
}

}  // namespace

std::string_view StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kGarbageCollection:
      return "GarbageCollection";
    case Strategy::kDeltaEncoding:
      return "DeltaEncoding";
    case Strategy::kArchival:
      return "Archival";
    case Strategy::kCompression:
      return "Compression";
    case Strategy::kDeduplication:
      return "Deduplication";
    case Strategy::kRepacking:
      return "Repacking";
    case Strategy::kCaching:
      return "Caching";
  }
  return "?";
}

Result<Strategy> ParseStrategy(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c != '-' && c != '_')
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  };
  for (Strategy s : kAllStrategies) {
    if (lower(StrategyName(s)) == lower(name)) return s;
  }
  std::string all;
  for (Strategy s : kAllStrategies) all += (all.empty() ? "" : ", ") + std::string(StrategyName(s));
  return core::InvalidArgument("unknown strategy '" + std::string(name) + "' (one of: " + all +
                               ", or all)");
}

uint64_t OptimizeReport::bytes_saved() const {
  if (mode == Mode::kRun) {
    return pack_bytes_before > pack_bytes_after ? pack_bytes_before - pack_bytes_after : 0;
  }
  uint64_t total = 0;
  for (const auto& r : results) total += r.bytes_saved;
  return total;
}

Result<OptimizeReport> Optimize(WritableStore& store, const OptimizeOptions& options) {
  OptimizeReport report;
  report.mode = options.mode;
  Context ctx{store, options, &report, {}, 0};
  report.pack_bytes_before = PackFileBytes(store.paths());
  if (ctx.writing()) {
    TALARIA_ASSIGN_OR_RETURN(report.access_reads_folded, FoldAccessLogs(store));
  }
  for (Strategy s : kAllStrategies) {
    if (std::find(options.strategies.begin(), options.strategies.end(), s) ==
        options.strategies.end()) {
      continue;
    }
    StrategyResult r;
    r.strategy = s;
    if (ctx.TargetReached()) {
      r.skipped = true;
      r.detail = "not run: the target is reached";
    } else {
      ctx.Progress(std::string(StrategyName(s)) + ": planning");
      TALARIA_RETURN_IF_ERROR(RunStrategy(ctx, s, &r));
    }
    report.results.push_back(std::move(r));
  }
  report.target_reached = ctx.TargetReached();
  if (ctx.writing()) TALARIA_RETURN_IF_ERROR(VerifyTouched(ctx));
  report.pack_bytes_after = PackFileBytes(store.paths());
  return report;
}

}  // namespace talaria::store
