#include "store/reduce/reduction.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/fasta/record_id.h"
#include "store/reduce/delta_record.h"
#include "store/reduce/reduction_manifest.h"

namespace talaria::store {

using core::Result;
using core::Status;

namespace {

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

Result<std::string> Checked(std::string piece, uint64_t expected, const std::string& what) {
  if (piece.size() != expected) {
    return core::Corruption(what + " is " + std::to_string(piece.size()) +
                            " bytes, its manifest says " + std::to_string(expected));
  }
  return piece;
}

}  // namespace

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
