#include "store/maintenance/optimize_context.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/maintenance/line_sketch.h"

namespace talaria::store::optimize_internal {

using core::ObjectId;
using core::Status;

namespace {

// A chunk of one version, with its record index.
struct TaxonChunk {
  ObjectId chunk, fai, manifest;
  bool current = false;
};

}  // namespace

Status DeltaEncoding(Context& ctx, StrategyResult* r) {
  TALARIA_ASSIGN_OR_RETURN(auto objects, AllObjects(ctx.store));
  TALARIA_ASSIGN_OR_RETURN(VersionSets v, LoadVersions(ctx.store));
  std::set<ObjectId> bases_in_use;  // a delta's base: it must not move down a chain
  for (const auto& [id, info] : objects) {
    if (info.entry.is_delta()) bases_in_use.insert(info.entry.base);
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
    return it != objects.end() && !it->second.entry.is_delta() && !bases_in_use.count(id);
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

}  // namespace talaria::store::optimize_internal
