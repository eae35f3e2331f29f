#include "store/reduce/profile_builder.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "store/fasta/chunker.h"
#include "store/fasta/fasta_index.h"
#include "store/fasta/record_id.h"
#include "store/reduce/delta_record.h"
#include "store/reduce/reduction.h"
#include "store/reduce/reduction_catalog.h"
#include "store/reduce/reduction_manifest.h"
#include "store/reduce/reduction_source.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;
using core::Status;

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

namespace {

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
  ChunkingOptions own = chunking;
  own.share_small_taxa = false;  // reference chunks are one taxon each (docs/FORMAT.md §4.9)
  Chunker chunker(own, [&](ClosedChunk&& c) { closed.push_back(std::move(c)); });
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

}  // namespace

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

}  // namespace talaria::store
