#pragma once

// Turning a reduction's assignments into a stored, registered profile
// (ReduceDatabase and ImportReduction share it). Internal to store/reduce.

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "store/core/status.h"
#include "store/fasta/chunker.h"
#include "store/object/writable_store.h"
#include "store/reduce/reducer.h"
#include "store/reduce/reduction.h"
#include "store/reduce/reduction_manifest.h"
#include "store/reduce/reduction_source.h"

namespace talaria::store {

// Milliseconds since the Unix epoch (the clock of Finish's `start_ms`).
uint64_t NowMs();

// Builds a profile window by window: each window's reference chunks and
// delta chunks (every child rebuilt and checked first) are stored as soon as
// they are made, so a window's records can be let go; the manifest and the
// index entries come last, in one commit. Nothing is registered before
// Finish: a build that fails leaves only unreferenced objects (for gc).
// Single-thread.
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
  core::Status AddWindow(const Source& src, std::span<const ReduceAssignment> assignment,
                         const std::set<uint64_t>& carry_groups, uint64_t carry_bytes);
  const std::vector<CarriedReference>& carried() const { return carried_; }
  // Statistics, manifest, registration. Unchanged when the profile already
  // holds exactly this reduction; refused when it holds another.
  core::Result<ReduceResult> Finish(ReduceResult result, uint64_t start_ms);

 private:
  WritableStore& store_;
  const ChunkingOptions chunking_;
  ReductionManifest m_;
  uint64_t child_residues_ = 0, copied_ = 0;
  ProfileIds ids_;
  std::vector<CarriedReference> carried_;
  uint64_t carried_bytes_ = 0;
};

}  // namespace talaria::store
