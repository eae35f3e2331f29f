#include "store/reduce/reduction.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <span>
#include <utility>

#include <nlohmann/json.hpp>

#include "index/index.h"
#include "store/catalog/catalog_snapshot.h"
#include "store/catalog/database_catalog.h"
#include "store/catalog/ingest.h"
#include "store/core/mutex.h"
#include "store/core/time_text.h"
#include "store/fasta/byte_source.h"
#include "store/fasta/fasta_index.h"
#include "store/fasta/fasta_reader.h"
#include "store/reduce/delta_record.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// One record of (a window of) the source version.
struct SourceRecord {
  std::string_view text;  // into a chunk held by `chunks`
  TaxonId taxon = 0;
  uint64_t group = 0;  // only records of one group are paired
  ObjectId chunk;      // the source chunk it is in
  RecordParts parts;
};

struct Source {
  std::vector<std::shared_ptr<const std::string>> chunks;  // keeps the texts alive
  std::vector<SourceRecord> records;
};

// The records of the chunks `which` of a version; those of chunk c are in
// group groups[c].
Result<Source> LoadSource(ObjectStore& store, const DatabaseManifest& m,
                          std::span<const size_t> which, std::span<const uint64_t> groups) {
  Source s;
  for (size_t c : which) {
    const ManifestChunk& mc = m.chunks[c];
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(mc.id));
    s.chunks.push_back(bytes);
    for (std::string_view rec : SplitRecords(*bytes)) {
      s.records.push_back(SourceRecord{rec, mc.taxon, groups[c], mc.id, SplitRecord(rec)});
    }
  }
  return s;
}

// The parameters as they will be recorded: with taxonomy awareness, the rank
// is "genus" when the store has a taxonomy tree and "taxon" otherwise.
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

// The group of each chunk of a version: all 0 without taxonomy awareness;
// otherwise its taxon's ancestor of the parameters' rank, or the taxon
// itself (rank "taxon", or a taxon with no such ancestor).
Result<std::vector<uint64_t>> ChunkGroups(ObjectStore& store, const DatabaseManifest& m,
                                          const ReductionParameters& p) {
  std::vector<uint64_t> groups(m.chunks.size(), 0);
  if (!p.taxonomy_aware) return groups;
  std::map<TaxonId, uint64_t> group_of;
  std::set<std::string> ranks_seen;
  bool found = false;
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  for (size_t c = 0; c < m.chunks.size(); c++) {
    const TaxonId taxon = m.chunks[c].taxon;
    auto [it, fresh] = group_of.emplace(taxon, taxon);
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
    groups[c] = it->second;
  }
  // A rank no lineage has is a mistake (a typo, most likely), not a choice.
  if (p.rank != "taxon" && !found && !m.chunks.empty()) {
    std::string seen;
    for (const auto& r : ranks_seen) seen += (seen.empty() ? "" : ", ") + r;
    return core::InvalidArgument(
        "no taxon of the version has an ancestor of rank '" + p.rank +
        "' in the taxonomy tree (ranks there: " + (seen.empty() ? "none" : seen) + ")");
  }
  return groups;
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
struct Placement {
  uint32_t chunk = 0;
  uint32_t index = 0;
};

struct BuiltChunks {
  std::vector<ClosedChunk> chunks;  // in manifest order
  // For each, the source chunk its first record comes from: its references
  // are records of that chunk, so it is stored as a byte delta of it.
  std::vector<ObjectId> bases;
  std::map<size_t, Placement> placement;  // source record -> where it is
};

// Chunks the reference records by taxon, in source order, as ingest does.
Result<BuiltChunks> ChunkReferences(const Source& src, std::span<const ReduceAssignment> a,
                                    const ChunkingOptions& chunking) {
  BuiltChunks built;
  std::vector<ClosedChunk> closed;
  Chunker chunker(chunking, [&](ClosedChunk&& c) { closed.push_back(std::move(c)); });
  std::map<TaxonId, std::vector<size_t>> by_taxon;  // reference records of each taxon, in order
  for (size_t i = 0; i < src.records.size(); i++) {
    if (a[i].reference >= 0) continue;
    const SourceRecord& r = src.records[i];
    TALARIA_RETURN_IF_ERROR(chunker.Add(r.taxon, r.text, r.parts.residues.size()));
    by_taxon[r.taxon].push_back(i);
  }
  TALARIA_RETURN_IF_ERROR(chunker.Finish());
  std::sort(closed.begin(), closed.end(), [](const ClosedChunk& x, const ClosedChunk& y) {
    return x.taxon != y.taxon ? x.taxon < y.taxon : x.seq_in_taxon < y.seq_in_taxon;
  });
  std::map<TaxonId, size_t> next;  // next reference record of each taxon to place
  for (uint32_t k = 0; k < closed.size(); k++) {
    const auto& records = by_taxon[closed[k].taxon];
    size_t& n = next[closed[k].taxon];
    built.bases.push_back(src.records[records[n]].chunk);
    for (uint32_t j = 0; j < closed[k].records; j++) built.placement[records[n++]] = {k, j};
  }
  built.chunks = std::move(closed);
  return built;
}

std::string RefToChildrenLine(std::string_view reference_id, const std::vector<std::string>& kids) {
  std::string line(reference_id);
  for (const auto& k : kids) line += '\t' + k;
  return line + '\n';
}

// The delta chunks of one reference chunk: a run of the manifest's list,
// which is in reference chunk order (decoding checks it).
std::span<const DeltaChunkInfo> DeltaChunksOf(const ReductionManifest& m,
                                              uint32_t reference_chunk) {
  const auto run = std::ranges::equal_range(m.delta_chunks, reference_chunk, {},
                                            &DeltaChunkInfo::reference_chunk);
  return {run.begin(), run.end()};
}

// The delta records of each reference of a chunk, by index in that chunk.
Result<std::map<uint32_t, std::vector<DeltaRecord>>> ChildrenOf(ObjectStore& store,
                                                                const ReductionManifest& m,
                                                                uint32_t reference_chunk) {
  std::map<uint32_t, std::vector<DeltaRecord>> out;
  for (const DeltaChunkInfo& d : DeltaChunksOf(m, reference_chunk)) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(d.id));
    TALARIA_ASSIGN_OR_RETURN(auto records, DecodeDeltaChunk(*bytes));
    for (DeltaRecord& r : records) out[r.reference_index].push_back(std::move(r));
  }
  return out;
}

tl::unexpected<core::Error> AnotherReductionError(const std::string& profile) {
  return core::InvalidArgument("profile " + profile +
                               " already holds another reduction; remove it first "
                               "(talaria-store reduction rm " +
                               profile + ")");
}

// Every profile's entry, with `profile` set to `entry` (or left out when
// `entry` is nullopt).
Result<std::vector<std::pair<std::string, index::ReductionEntry>>> ProfilesWith(
    WritableStore& store, const std::string& profile, std::optional<index::ReductionEntry> entry) {
  std::vector<std::pair<std::string, index::ReductionEntry>> all, out;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(all, store.index().reductions().List(txn));
  }
  for (auto& p : all) {
    if (p.first != profile) out.push_back(std::move(p));
  }
  if (entry) out.emplace_back(profile, *entry);
  return out;
}

Result<std::vector<index::DatabaseVersion>> AllVersions(ObjectStore& store) {
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  return store.index().databases().List(txn);
}

// Registers the profile with a new catalogue snapshot, in one commit.
Status Register(WritableStore& store, const std::string& profile,
                const index::ReductionEntry& entry, const ProfileIds& ids) {
  TALARIA_ASSIGN_OR_RETURN(auto versions, AllVersions(store));
  TALARIA_ASSIGN_OR_RETURN(auto profiles, ProfilesWith(store, profile, entry));
  TALARIA_ASSIGN_OR_RETURN(auto snapshot, PutCatalogSnapshot(store, versions, profiles));
  return store.index().Update([&](index::WriteTxn& txn) -> Status {
    TALARIA_RETURN_IF_ERROR(IndexReduction(store, txn, profile, entry, ids));
    return RecordCatalogSnapshot(store, txn, snapshot.first, snapshot.second);
  });
}

}  // namespace

std::vector<std::string_view> SplitRecords(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = text.find('>');
  while (start != std::string_view::npos && start < text.size()) {
    size_t next = text.find("\n>", start);
    const size_t end = next == std::string_view::npos ? text.size() : next + 1;
    out.push_back(text.substr(start, end - start));
    start = next == std::string_view::npos ? std::string_view::npos : next + 1;
  }
  return out;
}

namespace {

// Builds a profile window by window: each window's reference chunks and
// delta chunks (every child rebuilt and checked first) are stored as soon as
// they are made, so a window's records can be let go; the manifest and the
// index entries come last, in one commit.
class ProfileBuilder {
 public:
  ProfileBuilder(WritableStore& store, std::string profile, const ChunkingOptions& chunking,
                 const index::DatabaseVersion& version, const ReductionParameters& parameters)
      : store_(store), chunking_(chunking) {
    m_.profile = std::move(profile);
    m_.parameters = parameters;
    m_.database = version.name;
    m_.version = version.version;
    m_.source_manifest = version.manifest;
  }

  // A reference of an earlier window kept for the windows after it.
  struct CarriedReference {
    std::string residues, id;
    uint64_t group = 0;
    uint32_t chunk = 0, index = 0;  // where it is: reference chunk, record in it
    uint64_t children = 0;          // so far (with any: it has a ref2children.tsv line)
  };
  // `assignment` holds the carried references first (ReduceInput::fixed),
  // then src.records; a child's reference is an index into it. Afterwards,
  // what is carried to the next window is chosen among the carried and the
  // window's references of `carry_groups`: those with the most children so
  // far (a family's representative draws its later members too), then the
  // shortest (more of them fit), while their residues fit in `carry_bytes`.
  Status AddWindow(const Source& src, std::span<const ReduceAssignment> assignment,
                   const std::set<uint64_t>& carry_groups, uint64_t carry_bytes);
  const std::vector<CarriedReference>& carried() const { return carried_; }
  // Statistics, manifest, registration. Unchanged when the profile already
  // holds exactly this reduction; refused when it holds another.
  Result<ReduceResult> Finish(ReduceResult result, uint64_t start_ms);

 private:
  WritableStore& store_;
  const ChunkingOptions chunking_;
  ReductionManifest m_;
  uint64_t child_residues_ = 0, copied_ = 0;
  ProfileIds ids_;
  std::vector<CarriedReference> carried_;
  uint64_t carried_bytes_ = 0;
};

Status ProfileBuilder::AddWindow(const Source& src, std::span<const ReduceAssignment> assignment,
                                 const std::set<uint64_t>& carry_groups, uint64_t carry_bytes) {
  const size_t carried = carried_.size();
  const std::span<const ReduceAssignment> own = assignment.subspan(carried);
  TALARIA_ASSIGN_OR_RETURN(BuiltChunks built, ChunkReferences(src, own, chunking_));
  const auto first_chunk = static_cast<uint32_t>(m_.reference_chunks.size());
  auto& st = m_.statistics;
  std::vector<std::string> fai_texts;
  for (const ClosedChunk& c : built.chunks) {
    fai_texts.push_back(EncodeFaiRecords(IndexFastaRecords(c.bytes)));
    m_.reference_chunks.push_back(ReferenceChunk{ObjectId::Hash(c.bytes),
                                                 ObjectId::Hash(fai_texts.back()), c.taxon,
                                                 c.records, c.bytes.size()});
    st.reference_bytes += c.bytes.size();
  }
  // Children grouped by their reference's chunk, then by reference, then in
  // source order; each one rebuilt and checked before anything is stored.
  struct Child {
    DeltaRecord delta;
    uint64_t bytes = 0;    // of its record text
    size_t reference = 0;  // index into `assignment`
  };
  std::map<uint32_t, std::vector<Child>> by_chunk;  // by reference chunk
  for (size_t i = 0; i < src.records.size(); i++) {
    const ReduceAssignment& a = own[i];
    st.original_sequences++;
    st.original_bytes += src.records[i].text.size();
    if (a.reference < 0) {
      st.reference_sequences++;
      continue;
    }
    st.child_sequences++;
    const auto r = static_cast<size_t>(a.reference);
    const SourceRecord& child = src.records[i];
    std::string_view ref_residues;
    DeltaRecord d;
    uint32_t chunk = 0;
    if (r < carried) {
      const CarriedReference& c = carried_[r];
      ref_residues = c.residues;
      d.reference_id = c.id;
      chunk = c.chunk;
      d.reference_index = c.index;
    } else {
      const SourceRecord& ref = src.records[r - carried];
      const Placement p = built.placement.at(r - carried);
      ref_residues = ref.parts.residues;
      d.reference_id = RecordId(ref.text);
      chunk = first_chunk + p.chunk;
      d.reference_index = p.index;
    }
    d.child_id = RecordId(child.text);
    d.taxon = child.taxon;
    d.header_line = child.parts.header_line;
    d.layout = child.parts.layout;
    d.script = a.script;
    d.sha256 = ObjectId::Hash(child.text);
    // Checked against the SHA-256 of the child's own record text.
    TALARIA_RETURN_IF_ERROR(RebuildChild(d, ref_residues));
    child_residues_ += child.parts.residues.size();
    copied_ += Stats(d.script).matches;
    by_chunk[chunk].push_back(Child{std::move(d), child.text.size(), r});
  }
  std::vector<std::string> delta_texts;
  std::vector<uint64_t> children(src.records.size(), 0);  // of the window's references
  for (auto& [k, kids] : by_chunk) {
    std::stable_sort(kids.begin(), kids.end(), [](const Child& x, const Child& y) {
      return x.delta.reference_index < y.delta.reference_index;
    });
    // ref2children.tsv: one line per reference with children (of any
    // window): its id, then a tab and the id of each child, then a newline.
    uint64_t& r2c = m_.reference_chunks[k].ref2children_bytes;
    for (const Child& kid : kids) {
      const size_t r = kid.reference;
      const bool first = (r < carried ? carried_[r].children++ : children[r - carried]++) == 0;
      if (first) r2c += kid.delta.reference_id.size() + 1;  // its id and the line's end
      r2c += 1 + kid.delta.child_id.size();                 // a tab and the child's id
    }
    // Split so that no delta chunk grows past the chunk size limit.
    for (size_t from = 0; from < kids.size();) {
      std::vector<DeltaRecord> part;
      uint64_t size = 0;
      DeltaChunkInfo info;
      info.reference_chunk = k;
      while (from < kids.size() && (part.empty() || size < chunking_.max_chunk_bytes)) {
        const std::string line = FormatDeltaLine(kids[from].delta);
        size += line.size();
        info.deltas_dat_bytes += line.size();
        info.child_bytes += kids[from].bytes;
        part.push_back(std::move(kids[from++].delta));
      }
      info.children = part.size();
      delta_texts.push_back(EncodeDeltaChunk(part));
      info.id = ObjectId::Hash(delta_texts.back());
      st.delta_bytes += delta_texts.back().size();
      m_.delta_chunks.push_back(info);
      ids_.push_back(IdsOf(info.id, part));
    }
  }
  // Reference chunks are records the source already holds: stored as byte
  // deltas of a source chunk they come from, they add little to the store.
  // Delta chunks are written once and read whole: zstd:9 (a third smaller
  // than the default level at this size, still fast). One fsync per window.
  std::vector<PutRequest> requests;
  for (size_t k = 0; k < built.chunks.size(); k++) {
    PutOptions chunk{ObjectKind::kChunk};
    chunk.base = built.bases[k];
    requests.push_back({built.chunks[k].bytes, chunk});
    requests.push_back({fai_texts[k], PutOptions{ObjectKind::kFastaIndex}});
  }
  PutOptions delta_options{ObjectKind::kDeltaChunk};
  delta_options.codec = CodecSpec{CodecType::kZstd, 9};
  for (const auto& t : delta_texts) requests.push_back({t, delta_options});
  TALARIA_RETURN_IF_ERROR(store_.PutBatch(std::span<const PutRequest>(requests)));

  struct Candidate {
    uint64_t children;
    size_t length;
    size_t index;  // into carried_, or carried_.size() + a record of the window
  };
  std::vector<Candidate> pool;
  for (size_t c = 0; c < carried_.size(); c++) {
    if (carry_groups.count(carried_[c].group)) {
      pool.push_back({carried_[c].children, carried_[c].residues.size(), c});
    }
  }
  for (size_t i = 0; i < src.records.size(); i++) {
    if (own[i].reference < 0 && carry_groups.count(src.records[i].group)) {
      pool.push_back({children[i], src.records[i].parts.residues.size(), carried + i});
    }
  }
  std::stable_sort(pool.begin(), pool.end(), [](const Candidate& x, const Candidate& y) {
    return x.children != y.children ? x.children > y.children : x.length < y.length;
  });
  std::vector<CarriedReference> next;
  carried_bytes_ = 0;
  for (const Candidate& c : pool) {
    if (carried_bytes_ + c.length > carry_bytes) continue;
    carried_bytes_ += c.length;
    if (c.index < carried) {
      next.push_back(std::move(carried_[c.index]));
      continue;
    }
    const size_t i = c.index - carried;
    const SourceRecord& r = src.records[i];
    const Placement p = built.placement.at(i);
    next.push_back(CarriedReference{r.parts.residues, std::string(RecordId(r.text)), r.group,
                                    first_chunk + p.chunk, p.index, children[i]});
  }
  carried_ = std::move(next);
  return core::OkStatus();
}

Result<ReduceResult> ProfileBuilder::Finish(ReduceResult result, uint64_t start_ms) {
  // Children of a carried reference come in later windows: delta chunks go
  // in reference chunk order (window order within one).
  std::stable_sort(m_.delta_chunks.begin(), m_.delta_chunks.end(),
                   [](const DeltaChunkInfo& x, const DeltaChunkInfo& y) {
                     return x.reference_chunk < y.reference_chunk;
                   });
  auto& st = m_.statistics;
  st.actual_ratio = st.original_sequences == 0 ? 1.0
                                               : static_cast<double>(st.reference_sequences) /
                                                     static_cast<double>(st.original_sequences);
  st.coverage =
      child_residues_ ? static_cast<double>(copied_) / static_cast<double>(child_residues_) : 1.0;
  const std::string manifest_text = EncodeReductionManifest(m_);
  result.manifest_id = ObjectId::Hash(manifest_text);
  result.manifest = m_;

  TALARIA_ASSIGN_OR_RETURN(ReductionInfo existing_or_none, [&]() -> Result<ReductionInfo> {
    auto r = LoadReduction(store_, m_.profile);
    if (!r && r.error().code() == core::Code::kNotFound) return ReductionInfo{};
    return r;
  }());
  if (!existing_or_none.profile.empty()) {
    if (existing_or_none.entry.manifest == result.manifest_id) {
      result.unchanged = true;
      result.elapsed_ms = existing_or_none.entry.elapsed_ms;
      return result;
    }
    return AnotherReductionError(m_.profile);
  }
  PutOptions manifest_options{ObjectKind::kManifest};
  TALARIA_RETURN_IF_ERROR(store_.Put(manifest_text, manifest_options));
  result.elapsed_ms = NowMs() - start_ms;
  TALARIA_RETURN_IF_ERROR(
      Register(store_, m_.profile,
               index::ReductionEntry{result.manifest_id, NowMs() / 1000, result.elapsed_ms}, ids_));
  return result;
}

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
  TALARIA_ASSIGN_OR_RETURN(std::vector<uint64_t> groups,
                           ChunkGroups(store, source_manifest, parameters));
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
    for (size_t c : windows[w]) later[w - 1].insert(groups[c]);
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
    TALARIA_ASSIGN_OR_RETURN(Source src, LoadSource(store, source_manifest, windows[w], groups));
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

Result<ReduceResult> ImportReduction(WritableStore& store, const ImportOptions& options) {
  const uint64_t start_ms = NowMs();
  TALARIA_RETURN_IF_ERROR(ValidateName("profile name", options.profile));
  TALARIA_ASSIGN_OR_RETURN(index::DatabaseVersion version,
                           ResolveDatabase(store, options.database));
  TALARIA_ASSIGN_OR_RETURN(DatabaseManifest source_manifest, LoadManifest(store, version.manifest));
  std::vector<size_t> all(source_manifest.chunks.size());
  std::iota(all.begin(), all.end(), size_t{0});
  const std::vector<uint64_t> no_groups(all.size(), 0);
  TALARIA_ASSIGN_OR_RETURN(Source src, LoadSource(store, source_manifest, all, no_groups));
  const std::string what = version.name + "/" + version.version;
  // The version's records by id, in order (ids need not be unique).
  std::map<std::string_view, std::vector<size_t>> by_id;
  for (size_t i = 0; i < src.records.size(); i++) by_id[RecordId(src.records[i].text)].push_back(i);
  std::vector<bool> taken(src.records.size(), false);
  auto take = [&](std::string_view id, const std::function<bool(size_t)>& matches) -> int64_t {
    auto it = by_id.find(id);
    if (it == by_id.end()) return -1;
    for (size_t i : it->second) {
      if (!taken[i] && matches(i)) {
        taken[i] = true;
        return static_cast<int64_t>(i);
      }
    }
    return -1;
  };
  std::vector<ReduceAssignment> assignment(src.records.size());
  std::map<std::string, int64_t> reference_of_id;
  {
    TALARIA_ASSIGN_OR_RETURN(auto reader, FastaReader::Open(options.references));
    FastaRecord rec;
    while (true) {
      TALARIA_ASSIGN_OR_RETURN(bool more, reader->Next(&rec));
      if (!more) break;
      const std::string_view id = RecordId(rec.text);
      const int64_t i = take(id, [&](size_t k) { return src.records[k].text == rec.text; });
      if (i < 0) {
        return core::ParseError(options.references + ":" + std::to_string(rec.line) + ": " +
                                std::string(id) + " is not a record of " + what +
                                " (byte for byte)");
      }
      reference_of_id.emplace(std::string(id), i);
    }
  }
  {
    TALARIA_RETURN_IF_ERROR(
        ForEachLineOfSource(options.deltas, [&](std::string_view line, uint64_t n) -> Status {
          auto where = [&] { return options.deltas + ":" + std::to_string(n) + ": "; };
          auto d = ParseDeltaLine(line);
          if (!d) return core::ParseError(where() + d.error().message());
          auto ref = reference_of_id.find(d->reference_id);
          if (ref == reference_of_id.end()) {
            return core::ParseError(where() + "reference " + d->reference_id + " is not in " +
                                    options.references);
          }
          const int64_t i = take(d->child_id, [&](size_t k) {
            return ObjectId::Hash(src.records[k].text) == d->sha256;
          });
          if (i < 0) {
            return core::ParseError(where() + "child " + d->child_id + " is not a record of " +
                                    what + " with that SHA-256 (or is listed twice)");
          }
          assignment[static_cast<size_t>(i)].reference = ref->second;
          assignment[static_cast<size_t>(i)].identity = Stats(d->script).identity();
          assignment[static_cast<size_t>(i)].script = std::move(d->script);
          return core::OkStatus();
        }));
  }
  for (size_t i = 0; i < src.records.size(); i++) {
    if (!taken[i]) {
      return core::InvalidArgument(std::string(RecordId(src.records[i].text)) + " of " + what +
                                   " is in neither " + options.references + " nor " +
                                   options.deltas);
    }
  }
  if (!options.ref2children.empty()) {
    std::map<std::string, std::string> parent;  // child id -> reference id, from deltas
    for (size_t i = 0; i < src.records.size(); i++) {
      if (assignment[i].reference < 0) continue;
      parent[std::string(RecordId(src.records[i].text))] =
          RecordId(src.records[static_cast<size_t>(assignment[i].reference)].text);
    }
    TALARIA_RETURN_IF_ERROR(
        ForEachLineOfSource(options.ref2children, [&](std::string_view line, uint64_t n) -> Status {
          const std::vector<std::string_view> fields = SplitTabs(line);
          for (size_t k = 1; k < fields.size(); k++) {
            auto it = parent.find(std::string(fields[k]));
            if (it == parent.end() || it->second != fields[0]) {
              return core::ParseError(options.ref2children + ":" + std::to_string(n) + ": " +
                                      std::string(fields[k]) + " is not a child of " +
                                      std::string(fields[0]) + " in " + options.deltas);
            }
          }
          return core::OkStatus();
        }));
  }
  ReductionParameters none;  // an import records no parameters
  none.window_bytes = 0;
  ProfileBuilder builder(store, options.profile, options.chunking, version, none);
  if (options.progress) options.progress("storing references and deltas");
  TALARIA_RETURN_IF_ERROR(builder.AddWindow(src, assignment, {}, 0));
  ReduceResult result;
  result.stats.sequences = src.records.size();
  for (const auto& a : assignment) {
    if (a.reference < 0) {
      result.stats.references++;
    } else {
      result.stats.children++;
    }
  }
  return builder.Finish(std::move(result), start_ms);
}

Result<ReductionInfo> LoadReduction(ObjectStore& store, const std::string& profile) {
  std::optional<index::ReductionEntry> entry;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(entry, store.index().reductions().Get(txn, profile));
  }
  if (!entry) return core::NotFound("no reduction profile '" + profile + "'");
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(entry->manifest));
  auto m = DecodeReductionManifest(*bytes);
  if (!m)
    return core::Propagate(m.error().WithContext("reduction manifest " + entry->manifest.Hex()));
  return ReductionInfo{profile, *entry, std::move(*m)};
}

std::string ManifestView(const ReductionInfo& info) {
  nlohmann::json j = nlohmann::json::parse(EncodeReductionManifest(info.manifest));
  j["created"] = core::Iso8601(info.entry.created_unix_s);
  j["statistics"]["elapsed_ms"] = info.entry.elapsed_ms;
  return j.dump(1) + "\n";
}

Result<std::vector<ReductionInfo>> ListReductions(ObjectStore& store) {
  std::vector<std::pair<std::string, index::ReductionEntry>> list;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(list, store.index().reductions().List(txn));
  }
  std::vector<ReductionInfo> out;
  for (const auto& [profile, entry] : list) {
    TALARIA_ASSIGN_OR_RETURN(ReductionInfo info, LoadReduction(store, profile));
    out.push_back(std::move(info));
  }
  return out;
}

Status RemoveReduction(WritableStore& store, const std::string& profile) {
  TALARIA_ASSIGN_OR_RETURN(ReductionInfo gone, LoadReduction(store, profile));
  TALARIA_ASSIGN_OR_RETURN(auto versions, AllVersions(store));
  TALARIA_ASSIGN_OR_RETURN(auto profiles, ProfilesWith(store, profile, std::nullopt));
  TALARIA_ASSIGN_OR_RETURN(auto snapshot, PutCatalogSnapshot(store, versions, profiles));
  return store.index().Update([&](index::WriteTxn& txn) -> Status {
    TALARIA_RETURN_IF_ERROR(store.index().reductions().Delete(txn, profile));
    return RecordCatalogSnapshot(store, txn, snapshot.first, snapshot.second);
  });
}

DeltaChunkIds IdsOf(const ObjectId& chunk, std::span<const DeltaRecord> records) {
  DeltaChunkIds ids{chunk, {}, {}};
  for (const DeltaRecord& d : records) {
    ids.children.push_back(d.child_id);
    if (ids.references.empty() || ids.references.back() != d.reference_id) {
      ids.references.push_back(d.reference_id);
    }
  }
  return ids;
}

Result<ProfileIds> LoadProfileIds(ObjectStore& store, const ReductionManifest& m) {
  ProfileIds out;
  for (const DeltaChunkInfo& d : m.delta_chunks) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(d.id));
    TALARIA_ASSIGN_OR_RETURN(auto records, DecodeDeltaChunk(*bytes));
    out.push_back(IdsOf(d.id, records));
  }
  return out;
}

Status IndexReduction(WritableStore& store, index::WriteTxn& txn, const std::string& profile,
                      const index::ReductionEntry& entry, const ProfileIds& ids) {
  const index::ReductionTable& table = store.index().reductions();
  TALARIA_RETURN_IF_ERROR(table.Put(txn, profile, entry));
  for (const DeltaChunkIds& chunk : ids) {
    for (const std::string& child : chunk.children) {
      TALARIA_RETURN_IF_ERROR(table.AddChild(txn, profile, child, chunk.chunk));
    }
    for (const std::string& reference : chunk.references) {
      TALARIA_RETURN_IF_ERROR(table.AddReference(txn, profile, reference, chunk.chunk));
    }
  }
  return core::OkStatus();
}

std::vector<ObjectId> ReductionObjects(const ObjectId& manifest_id, const ReductionManifest& m) {
  std::vector<ObjectId> ids{manifest_id};
  for (const auto& c : m.reference_chunks) {
    ids.push_back(c.id);
    ids.push_back(c.fai);
  }
  for (const auto& d : m.delta_chunks) ids.push_back(d.id);
  return ids;
}

Status ExportReferences(ObjectStore& store, const ReductionManifest& m, const Sink& out) {
  for (const auto& c : m.reference_chunks) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(c.id));
    TALARIA_RETURN_IF_ERROR(out(*bytes));
  }
  return core::OkStatus();
}

uint64_t ExpandedPieceSize(const ReductionManifest& m, size_t reference_chunk) {
  uint64_t size = m.reference_chunks[reference_chunk].bytes;
  for (const DeltaChunkInfo& d : DeltaChunksOf(m, static_cast<uint32_t>(reference_chunk))) {
    size += d.child_bytes;
  }
  return size;
}

namespace {

Result<std::string> Checked(std::string piece, uint64_t expected, const std::string& what) {
  if (piece.size() != expected) {
    return core::Corruption(what + " is " + std::to_string(piece.size()) +
                            " bytes, its manifest says " + std::to_string(expected));
  }
  return piece;
}

}  // namespace

Result<std::string> DeltasPiece(ObjectStore& store, const ReductionManifest& m, size_t k) {
  const DeltaChunkInfo& info = m.delta_chunks.at(k);
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(info.id));
  TALARIA_ASSIGN_OR_RETURN(auto records, DecodeDeltaChunk(*bytes));
  std::string text;
  for (const DeltaRecord& r : records) text += FormatDeltaLine(r);
  return Checked(std::move(text), info.deltas_dat_bytes, "deltas of delta chunk " + info.id.Hex());
}

Result<std::string> RefToChildrenPiece(ObjectStore& store, const ReductionManifest& m, size_t k) {
  const ReferenceChunk& chunk = m.reference_chunks.at(k);
  TALARIA_ASSIGN_OR_RETURN(auto kids, ChildrenOf(store, m, static_cast<uint32_t>(k)));
  std::string text;
  if (!kids.empty()) {
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(chunk.id));
    const auto records = SplitRecords(*bytes);
    for (const auto& [index, children] : kids) {
      if (index >= records.size()) return core::Corruption("a delta names a missing reference");
      std::vector<std::string> ids;
      for (const DeltaRecord& d : children) ids.push_back(d.child_id);
      text += RefToChildrenLine(RecordId(records[index]), ids);
    }
  }
  return Checked(std::move(text), chunk.ref2children_bytes,
                 "ref2children of reference chunk " + chunk.id.Hex());
}

Result<std::string> ExpandedPiece(ObjectStore& store, const ReductionManifest& m, size_t k) {
  const ReferenceChunk& chunk = m.reference_chunks.at(k);
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store.Get(chunk.id));
  TALARIA_ASSIGN_OR_RETURN(auto kids, ChildrenOf(store, m, static_cast<uint32_t>(k)));
  const auto records = SplitRecords(*bytes);
  std::string text;
  for (uint32_t j = 0; j < records.size(); j++) {
    text.append(records[j]);
    auto it = kids.find(j);
    if (it == kids.end()) continue;
    const std::string residues = SplitRecord(records[j]).residues;
    for (const DeltaRecord& d : it->second) {
      TALARIA_ASSIGN_OR_RETURN(std::string child, RebuildChild(d, residues));
      text += child;
    }
  }
  return Checked(std::move(text), ExpandedPieceSize(m, k),
                 "expanded reference chunk " + chunk.id.Hex());
}

Status ExportDeltas(ObjectStore& store, const ReductionManifest& m, const Sink& out) {
  for (size_t k = 0; k < m.delta_chunks.size(); k++) {
    TALARIA_ASSIGN_OR_RETURN(std::string piece, DeltasPiece(store, m, k));
    TALARIA_RETURN_IF_ERROR(out(piece));
  }
  return core::OkStatus();
}

Status ExportRefToChildren(ObjectStore& store, const ReductionManifest& m, const Sink& out) {
  for (size_t k = 0; k < m.reference_chunks.size(); k++) {
    TALARIA_ASSIGN_OR_RETURN(std::string piece, RefToChildrenPiece(store, m, k));
    TALARIA_RETURN_IF_ERROR(out(piece));
  }
  return core::OkStatus();
}

Status ExportExpanded(ObjectStore& store, const ReductionManifest& m, const Sink& out) {
  for (size_t k = 0; k < m.reference_chunks.size(); k++) {
    TALARIA_ASSIGN_OR_RETURN(std::string piece, ExpandedPiece(store, m, k));
    TALARIA_RETURN_IF_ERROR(out(piece));
  }
  return core::OkStatus();
}

}  // namespace talaria::store
