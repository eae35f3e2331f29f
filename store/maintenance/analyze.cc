#include "store/maintenance/analyze.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/maintenance/live_set.h"
#include "store/maintenance/repack.h"
#include "store/maintenance/roots.h"
#include "store/object/access_log.h"
#include "store/pack/codec.h"
#include "store/pack/pack_format.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

// Every object the registered versions need, with their delta bases.
Result<std::set<ObjectId>> LiveObjects(ObjectStore& store,
                                       const std::map<ObjectId, ObjectInfo>& objects) {
  TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectId> roots, DatabaseRoots(store));
  return WithDeltaBases(objects, std::move(roots));
}

// Every `step`-th element of `ids`, at most `n` of them.
std::vector<ObjectId> Sample(const std::vector<ObjectId>& ids, size_t n) {
  std::vector<ObjectId> out;
  if (ids.empty() || n == 0) return out;
  const size_t step = std::max<size_t>(1, ids.size() / n);
  for (size_t i = 0; i < ids.size() && out.size() < n; i += step) out.push_back(ids[i]);
  return out;
}

Status EstimateRecompression(ObjectStore& store, const std::map<ObjectId, ObjectInfo>& objects,
                             const AnalyzeOptions& options, AnalyzeReport* r) {
  std::vector<ObjectId> whole;
  uint64_t whole_stored = 0;
  for (const auto& [id, info] : objects) {
    if (!info.entry.is_delta() && info.entry.raw_len > 0) {
      whole.push_back(id);
      whole_stored += info.entry.stored_len;
    }
  }
  uint64_t before = 0, after = 0;
  for (const ObjectId& id : Sample(whole, options.sample)) {
    TALARIA_ASSIGN_OR_RETURN(auto raw, store.Get(id));
    // With the dictionary it uses, as optimize would recompress it.
    std::shared_ptr<const ZstdDictionary> dictionary;
    if (objects.at(id).entry.dictionary) {
      TALARIA_ASSIGN_OR_RETURN(dictionary, store.Dictionary(objects.at(id).entry.base));
    }
    TALARIA_ASSIGN_OR_RETURN(std::string packed,
                             Compress(CodecSpec{CodecType::kZstd, 19}, *raw, {}, dictionary.get()));
    before += objects.at(id).entry.stored_len;
    after += std::min<uint64_t>(packed.size(), objects.at(id).entry.stored_len);
    r->recompress_sampled++;
  }
  if (before > 0) {
    r->recompress_saving_bytes = static_cast<uint64_t>(
        static_cast<double>(whole_stored) * static_cast<double>(before - after) / before);
  }
  return core::OkStatus();
}

// Whole chunks that have a chunk of the same taxon in another version: the
// delta against the one closest in size, sampled.
Status EstimateDeltas(ObjectStore& store, const std::map<ObjectId, ObjectInfo>& objects,
                      const AnalyzeOptions& options, AnalyzeReport* r) {
  std::vector<index::DatabaseVersion> versions;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(versions, store.index().databases().List(txn));
  }
  // taxon -> (chunk, manifest it is listed in)
  std::map<TaxonId, std::vector<std::pair<ManifestChunk, ObjectId>>> by_taxon;
  for (const auto& v : versions) {
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, v.manifest));
    for (const ManifestChunk& c : m.chunks) by_taxon[c.taxon].emplace_back(c, v.manifest);
  }
  std::vector<std::pair<ObjectId, ObjectId>> candidates;  // (whole chunk, base)
  uint64_t candidate_stored = 0;
  std::set<ObjectId> seen;
  for (const auto& [taxon, chunks] : by_taxon) {
    for (const auto& [c, manifest] : chunks) {
      auto it = objects.find(c.id);
      if (it == objects.end() || it->second.entry.is_delta() || !seen.insert(c.id).second) {
        continue;
      }
      const ManifestChunk* best = nullptr;
      for (const auto& [other, other_manifest] : chunks) {
        if (other_manifest == manifest || other.id == c.id) continue;
        auto diff = [&](const ManifestChunk* o) {
          return o->bytes > c.bytes ? o->bytes - c.bytes : c.bytes - o->bytes;
        };
        if (!best || diff(&other) < diff(best)) best = &other;
      }
      if (!best) continue;
      candidates.emplace_back(c.id, best->id);
      candidate_stored += it->second.entry.stored_len;
    }
  }
  r->delta_candidates = candidates.size();
  uint64_t before = 0, after = 0;
  const size_t step = std::max<size_t>(1, candidates.size() / std::max<size_t>(1, options.sample));
  for (size_t i = 0; i < candidates.size() && r->delta_sampled < options.sample; i += step) {
    TALARIA_ASSIGN_OR_RETURN(auto raw, store.Get(candidates[i].first));
    TALARIA_ASSIGN_OR_RETURN(auto base, store.Get(candidates[i].second));
    TALARIA_ASSIGN_OR_RETURN(std::string delta, Compress(store.config().codec, *raw, *base));
    const uint64_t stored = objects.at(candidates[i].first).entry.stored_len;
    before += stored;
    after += std::min<uint64_t>(delta.size(), stored);
    r->delta_sampled++;
  }
  if (before > 0) {
    r->delta_saving_bytes = static_cast<uint64_t>(static_cast<double>(candidate_stored) *
                                                  static_cast<double>(before - after) / before);
  }
  return core::OkStatus();
}

Status FindPacks(ObjectStore& store, const std::map<ObjectId, ObjectInfo>& objects,
                 const AnalyzeOptions& options, AnalyzeReport* r) {
  std::map<uint64_t, uint64_t> live;
  for (const auto& [id, info] : objects) live[info.entry.pack] += info.entry.record_len;
  const auto files = store.paths().ListPackFiles();
  // The newest pack is the one a writer appends to: neither sparse nor small yet.
  const uint64_t current = files.empty() ? 0 : files.rbegin()->first;
  for (const auto& [pack, path] : files) {
    std::error_code ec;
    const uint64_t bytes = std::filesystem::file_size(path, ec);
    if (ec || pack == current) continue;
    PackFinding f{pack, bytes, live[pack]};
    if (bytes > kPackHeaderSize &&
        static_cast<double>(f.live_bytes) < options.sparse_below * static_cast<double>(bytes)) {
      r->sparse_packs.push_back(f);
      r->sparse_dead_bytes += bytes - f.live_bytes;
    } else if (bytes < options.small_pack_bytes) {
      r->small_packs.push_back(f);
    }
  }
  return core::OkStatus();
}

// Counts in the index plus those talariafs wrote and no writer folded yet.
Status FindAccess(ObjectStore& store, AnalyzeReport* r) {
  TALARIA_ASSIGN_OR_RETURN(AccessCounts pending, PendingAccess(store.paths()));
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  return store.index().chunks().ForEach(
      txn, [&](const ObjectId& id, const index::ChunkMeta& stored) -> Status {
        index::ChunkMeta meta = stored;
        if (auto it = pending.find(id); it != pending.end()) meta.access_count += it->second;
        if (meta.access_count == 0) {
          r->cold_chunks++;
          return core::OkStatus();
        }
        r->chunks_with_access++;
        r->hottest.emplace_back(id, meta.access_count);
        std::sort(r->hottest.begin(), r->hottest.end(),
                  [](const auto& a, const auto& b) { return a.second > b.second; });
        if (r->hottest.size() > 10) r->hottest.pop_back();
        return core::OkStatus();
      });
}

}  // namespace

Result<AnalyzeReport> Analyze(ObjectStore& store, const AnalyzeOptions& options) {
  AnalyzeReport r;
  std::map<ObjectId, ObjectInfo> objects;
  {
    TALARIA_ASSIGN_OR_RETURN(std::vector<ObjectInfo> list, store.List());
    for (ObjectInfo& o : list) objects.emplace(o.id, std::move(o));
  }
  TALARIA_ASSIGN_OR_RETURN(std::set<ObjectId> live, LiveObjects(store, objects));
  for (const auto& [id, info] : objects) {
    if (live.count(id)) continue;
    r.unreferenced_objects++;
    r.unreferenced_bytes += info.entry.record_len;
  }
  TALARIA_RETURN_IF_ERROR(FindPacks(store, objects, options, &r));
  {
    TALARIA_ASSIGN_OR_RETURN(auto usage, IndexedPackUsage(store));
    TALARIA_ASSIGN_OR_RETURN(SupersededCopies copies, FindSupersededCopies(store, usage));
    r.duplicate_objects = copies.copies;
    r.duplicate_bytes = copies.bytes;
  }
  TALARIA_RETURN_IF_ERROR(EstimateRecompression(store, objects, options, &r));
  TALARIA_RETURN_IF_ERROR(EstimateDeltas(store, objects, options, &r));
  TALARIA_RETURN_IF_ERROR(FindAccess(store, &r));
  return r;
}

}  // namespace talaria::store
