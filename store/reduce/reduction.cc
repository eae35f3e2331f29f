#include "store/reduce/reduction.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/names.h"
#include "store/core/mutex.h"
#include "store/reduce/profile_builder.h"
#include "store/reduce/reducer.h"
#include "store/reduce/reduction_catalog.h"
#include "store/reduce/reduction_manifest.h"
#include "store/reduce/reduction_source.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

Result<ReductionParameters> Resolved(ObjectStore& store, ReductionParameters p) {
  if (!p.taxonomy_aware) {
    if (!p.rank.empty()) {
      return core::InvalidArgument("grouping by " + p.rank + " needs taxonomy-aware reduction");
    }
    return p;
  }
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  TALARIA_ASSIGN_OR_RETURN(size_t nodes, store.index().taxonomy().Count(txn));
  if (p.rank.empty()) {
    p.rank = nodes > 0 ? "genus" : "taxon";
  } else if (p.rank != "taxon" && nodes == 0) {
    return core::InvalidArgument("grouping by " + p.rank +
                                 " needs a taxonomy tree in the store (talaria-store taxonomy "
                                 "load nodes.dmp names.dmp)");
  }
  return p;
}

// The group of each taxon of a version: all 0 without taxonomy awareness;
// otherwise the taxon's ancestor of the parameters' rank, or the taxon
// itself (rank "taxon", or a taxon with no such ancestor). A chunk's group,
// for planning windows, is that of its first record's taxon.
struct Groups {
  std::map<TaxonId, uint64_t> of_taxon;
  std::vector<uint64_t> of_chunk;
};

Result<Groups> GroupsOf(ObjectStore& store, const DatabaseManifest& m,
                        const ReductionParameters& p) {
  Groups g;
  g.of_chunk.assign(m.chunks.size(), 0);
  if (!p.taxonomy_aware) return g;
  std::set<std::string> ranks_seen;
  bool found = false;
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  for (size_t c = 0; c < m.chunks.size(); c++) {
    bool first = true;
    for (const TaxonPiece& piece : PiecesOf(m.chunks[c])) {
      if (!piece.primary) continue;
      const TaxonId taxon = piece.taxon;
      auto [it, fresh] = g.of_taxon.emplace(taxon, taxon);
      if (fresh && p.rank != "taxon") {
        TALARIA_ASSIGN_OR_RETURN(auto lineage, store.index().taxonomy().Lineage(txn, taxon));
        for (const index::TaxonNode& node : lineage) {
          ranks_seen.insert(node.rank);
          if (node.rank == p.rank) {
            it->second = node.taxid;
            found = true;
            break;
          }
        }
      }
      if (first) g.of_chunk[c] = it->second;
      first = false;
    }
  }
  // A rank no lineage has is a mistake (a typo, most likely), not a choice.
  if (p.rank != "taxon" && !found && !m.chunks.empty()) {
    std::string seen;
    for (const auto& r : ranks_seen) seen += (seen.empty() ? "" : ", ") + r;
    return core::InvalidArgument(
        "no taxon of the version has an ancestor of rank '" + p.rank +
        "' in the taxonomy tree (ranks there: " + (seen.empty() ? "none" : seen) + ")");
  }
  return g;
}

// The windows of a version (ReductionParameters::window_bytes), as chunk
// indexes: whole groups in group order, a group larger than a window split
// between windows at chunk boundaries.
std::vector<std::vector<size_t>> PlanWindows(const DatabaseManifest& m,
                                             std::span<const uint64_t> groups,
                                             uint64_t window_bytes) {
  std::vector<size_t> order(m.chunks.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return groups[a] < groups[b]; });
  std::vector<std::vector<size_t>> windows(1);
  uint64_t filled = 0;
  auto fits = [&](uint64_t bytes) {
    return window_bytes == 0 || windows.back().empty() || filled + bytes <= window_bytes;
  };
  auto next = [&] {
    windows.emplace_back();
    filled = 0;
  };
  for (size_t a = 0; a < order.size();) {
    size_t b = a;
    uint64_t group_bytes = 0;
    for (; b < order.size() && groups[order[b]] == groups[order[a]]; b++) {
      group_bytes += m.chunks[order[b]].bytes;
    }
    if (!fits(group_bytes)) next();
    for (; a < b; a++) {
      if (!fits(m.chunks[order[a]].bytes)) next();  // a group larger than a window
      windows.back().push_back(order[a]);
      filled += m.chunks[order[a]].bytes;
    }
  }
  if (windows.back().empty()) windows.pop_back();
  return windows;
}

// Where each reference record went: (reference chunk, index in it).

// The saved progress of a stopped run under `prefix`: group -> segment -> bytes.
Result<std::map<uint64_t, std::map<uint64_t, std::string>>> SavedSegments(
    WritableStore& store, const std::string& prefix) {
  std::map<uint64_t, std::map<uint64_t, std::string>> saved;
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  TALARIA_RETURN_IF_ERROR(store.index().state().ForEachWithPrefix(
      txn, prefix, [&](std::string_view key, std::string_view value) -> Status {
        uint64_t group = 0, segment = 0;
        if (std::sscanf(std::string(key.substr(prefix.size())).c_str(), "%lu:%lu", &group,
                        &segment) == 2) {
          saved[group][segment] = std::string(value);
        }
        return core::OkStatus();
      }));
  return saved;
}

}  // namespace

Result<ReduceResult> ReduceDatabase(WritableStore& store, const ReduceOptions& options) {
  const uint64_t start_ms = NowMs();
  TALARIA_RETURN_IF_ERROR(ValidateName("profile name", options.profile));
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  TALARIA_ASSIGN_OR_RETURN(index::DatabaseVersion version,
                           ResolveDatabase(store, options.database));
  TALARIA_ASSIGN_OR_RETURN(ReductionParameters parameters, Resolved(store, options.parameters));
  // A profile that exists is answered before any work: reducing is
  // deterministic, so the same source and parameters give the same profile.
  {
    auto existing = LoadReduction(store, options.profile);
    if (existing) {
      if (existing->manifest.source_manifest == version.manifest &&
          existing->manifest.parameters == parameters) {
        ReduceResult same;
        same.manifest_id = existing->entry.manifest;
        same.manifest = std::move(existing->manifest);
        same.elapsed_ms = existing->entry.elapsed_ms;
        same.unchanged = true;
        return same;
      }
      return AnotherReductionError(options.profile);
    }
    if (existing.error().code() != core::Code::kNotFound) return core::Propagate(existing.error());
  }
  TALARIA_ASSIGN_OR_RETURN(DatabaseManifest source_manifest, LoadManifest(store, version.manifest));
  TALARIA_ASSIGN_OR_RETURN(Groups grouping, GroupsOf(store, source_manifest, parameters));
  const std::vector<uint64_t>& groups = grouping.of_chunk;
  const auto windows = PlanWindows(source_manifest, groups, parameters.window_bytes);
  // Progress is saved in the index's state table, segment by segment, under
  // a name that changes with the source and the parameters; a rerun of the
  // same command picks it up.
  ReductionManifest probe;
  probe.parameters = parameters;
  probe.source_manifest = version.manifest;
  const std::string state_prefix =
      "reduce:" + options.profile + ":" +
      ObjectId::Hash(EncodeReductionManifest(probe)).Hex().substr(0, 16) + ":";
  // The groups of the windows after each one: their references are carried
  // forward (up to half a window of residues), so a group split between
  // windows still pairs across them.
  std::vector<std::set<uint64_t>> later(windows.size());
  for (size_t w = windows.size(); w-- > 1;) {
    later[w - 1] = later[w];
    for (size_t c : windows[w]) {
      for (const TaxonPiece& piece : PiecesOf(source_manifest.chunks[c])) {
        auto it = grouping.of_taxon.find(piece.taxon);
        if (piece.primary) later[w - 1].insert(it == grouping.of_taxon.end() ? 0 : it->second);
      }
    }
  }
  const uint64_t carry_bytes = parameters.window_bytes / 2;
  uint64_t total = 0;
  for (const ManifestChunk& c : source_manifest.chunks) total += c.records;
  struct Progress {  // sequences assigned so far, reported from the matching threads
    core::Mutex mu;
    uint64_t done GUARDED_BY(mu) = 0;
  } progress;
  ProfileBuilder builder(store, options.profile, options.chunking, version, parameters);
  ReduceResult result;
  for (size_t w = 0; w < windows.size(); w++) {
    const std::string where = windows.size() == 1 ? std::string()
                                                  : "window " + std::to_string(w + 1) + "/" +
                                                        std::to_string(windows.size()) + ": ";
    say(where + "reading " + version.name + "/" + version.version);
    TALARIA_ASSIGN_OR_RETURN(Source src,
                             LoadSource(store, source_manifest, windows[w], &grouping.of_taxon));
    std::vector<ReduceInput> inputs;
    for (const auto& c : builder.carried()) inputs.push_back({c.residues, c.group, true});
    for (const SourceRecord& r : src.records) inputs.push_back({r.parts.residues, r.group});
    ReduceParams params;
    params.ratio = parameters.ratio;
    params.identity = parameters.identity;
    params.min_length = parameters.min_length;
    params.threads = options.threads;
    const std::string window_prefix = state_prefix + std::to_string(w) + ":";
    TALARIA_ASSIGN_OR_RETURN(params.saved, SavedSegments(store, window_prefix));
    params.save = [&](uint64_t group, uint64_t segment, const std::string& bytes) {
      // Index::Update is thread-safe: LMDB runs one write transaction at a time.
      const std::string key = window_prefix + std::to_string(group) + ":" + std::to_string(segment);
      // A hint for a rerun: failing to save costs only the work it would spare.
      store.index()
          .Update([&](index::WriteTxn& txn) { return store.index().state().Put(txn, key, bytes); })
          .IgnoreError();
    };
    params.progress = [&](uint64_t sequences) {
      core::MutexLock lock(&progress.mu);
      progress.done += sequences;
      if (options.sequences) options.sequences(progress.done, total);
    };
    say(where + "choosing references" +
        (builder.carried().empty()
             ? std::string()
             : " (" + std::to_string(builder.carried().size()) + " references carried)"));
    ReduceStats stats;
    TALARIA_ASSIGN_OR_RETURN(std::vector<ReduceAssignment> assignment,
                             ReduceSequences(inputs, params, &stats));
    result.stats += stats;
    say(where + "storing");
    TALARIA_RETURN_IF_ERROR(builder.AddWindow(src, assignment, later[w], carry_bytes));
    // Each chunk is read by one window only: the cache need not keep it.
    for (size_t c : windows[w]) store.cache().Erase(source_manifest.chunks[c].id);
  }
  result.windows = windows.size();
  if (result.stats.resumed > 0) {
    say("resumed " + std::to_string(result.stats.resumed) + " sequences from a stopped run");
  }
  TALARIA_ASSIGN_OR_RETURN(ReduceResult stored, builder.Finish(std::move(result), start_ms));
  // Done: the saved progress is no longer needed.
  TALARIA_RETURN_IF_ERROR(store.index().Update([&](index::WriteTxn& txn) -> Status {
    std::vector<std::string> keys;
    TALARIA_RETURN_IF_ERROR(store.index().state().ForEachWithPrefix(
        txn, state_prefix, [&](std::string_view key, std::string_view) -> Status {
          keys.emplace_back(key);
          return core::OkStatus();
        }));
    for (const auto& k : keys) TALARIA_RETURN_IF_ERROR(store.index().state().Delete(txn, k));
    return core::OkStatus();
  }));
  return stored;
}

}  // namespace talaria::store
