#pragma once

// A reduction profile as an object (docs/FORMAT.md §4.9): its parameters, the
// database version it reduces, the reference chunks (ordinary FASTA chunks
// of whole reference records, with their record indexes), the delta chunks
// (children, grouped by the reference chunk their references are in), and
// statistics. Everything the mount needs for exact file sizes is here. The
// manifest holds no time, so reducing the same version with the same
// parameters gives the same id (when it was made lives in the index).
//
// Thread-compatible (values and pure functions).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/core/object_id.h"
#include "store/core/status.h"

namespace talaria::store {

inline constexpr char kReductionFormat[] = "talaria-reduction/1";

// Source bytes reduced at once by default: peak memory is a few times this.
inline constexpr uint64_t kDefaultReduceWindowBytes = uint64_t{1} << 30;

struct ReductionParameters {
  std::optional<double> ratio;
  std::optional<double> identity;
  bool taxonomy_aware = false;
  // With taxonomy_aware, what a child and its reference share: "taxon" (the
  // same taxid) or a rank of the taxonomy tree ("genus": the same ancestor of
  // that rank, or the same taxid when there is none). Empty otherwise.
  std::string rank;
  uint64_t min_length = 0;
  // Sequences are compared within windows of at most this many source bytes:
  // whole groups (taxa or genera with taxonomy_aware), in group order; a
  // group larger than a window is split between windows. 0: one window.
  uint64_t window_bytes = kDefaultReduceWindowBytes;
  bool operator==(const ReductionParameters&) const = default;
};
nlohmann::json ParametersJson(const ReductionParameters& p);

struct ReferenceChunk {
  core::ObjectId id;
  core::ObjectId fai;
  uint32_t taxon = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t ref2children_bytes = 0;  // its references' lines in ref2children.tsv
  bool operator==(const ReferenceChunk&) const = default;
};

struct DeltaChunkInfo {
  core::ObjectId id;
  uint32_t reference_chunk = 0;  // index into reference_chunks
  uint64_t children = 0;
  uint64_t child_bytes = 0;       // the children's record text, rebuilt
  uint64_t deltas_dat_bytes = 0;  // their lines in deltas.dat
  bool operator==(const DeltaChunkInfo&) const = default;
};

struct ReductionStatistics {
  uint64_t original_sequences = 0, reference_sequences = 0, child_sequences = 0;
  uint64_t original_bytes = 0;   // FASTA text of the source version
  uint64_t reference_bytes = 0;  // references.fasta
  uint64_t delta_bytes = 0;      // encoded delta chunks (before compression)
  double actual_ratio = 0;       // reference / original sequences
  // Of the children's residues, the share copied from their references.
  // (How the run went — alignments, cache hits, time — is not here: the
  // manifest describes the result, so a resumed run makes the same one.)
  double coverage = 0;
  bool operator==(const ReductionStatistics&) const = default;
};

struct ReductionManifest {
  std::string profile;
  ReductionParameters parameters;
  std::string database, version;
  core::ObjectId source_manifest;
  std::vector<ReferenceChunk> reference_chunks;
  std::vector<DeltaChunkInfo> delta_chunks;
  ReductionStatistics statistics;
  bool operator==(const ReductionManifest&) const = default;
};

std::string EncodeReductionManifest(const ReductionManifest& m);
// The statistics as the manifest (and talaria-store's --json) write them.
nlohmann::json StatisticsJson(const ReductionStatistics& s);
// kCorruption for anything that is not a reduction manifest of this format.
core::Result<ReductionManifest> DecodeReductionManifest(std::string_view json);

}  // namespace talaria::store
