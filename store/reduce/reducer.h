#pragma once

// Reference selection for reductions (docs/ARCHITECTURE.md "Reductions"): which sequences stay as
// references and, for every other one (a child), the exact edit script that
// rebuilds it from its reference. Longest first, greedily: a sequence whose
// best candidate reference (from a minimizer index of the references so far)
// aligns at the identity threshold or better becomes that reference's
// child; otherwise it becomes a reference itself. With a ratio instead of an
// identity, sequences are assigned down to kRatioFloorIdentity and then the
// children least like their references are promoted until references make
// up the ratio — or, when too few pairs reach that floor, the shortest
// childless references are paired with their most similar reference at
// whatever identity they have, until references make up the ratio.
//
// Sequences are compared only within their group (taxonomy-aware reduction
// groups by taxon); groups are reduced in parallel, and a single group's
// candidate searches and alignments run on every thread. The result does
// not depend on the number of threads.
//
// Thread-safe (a pure function of its inputs).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/core/status.h"
#include "store/reduce/banded_alignment.h"

namespace talaria::store {

inline constexpr double kRatioFloorIdentity = 0.5;

struct ReduceInput {
  std::string_view residues;
  uint64_t group = 0;  // only sequences of one group are paired
  // Already a reference (chosen earlier, e.g. in another window): a
  // candidate for every sequence of its group from the start, never
  // assigned, demoted or counted.
  bool fixed = false;
};

struct ReduceParams {
  // Exactly one: the fraction of sequences to keep as references, or the
  // least identity (copies / alignment columns) a child must have.
  std::optional<double> ratio;
  std::optional<double> identity;
  uint64_t min_length = 0;         // shorter sequences always stay references
  size_t max_candidates = 4;       // references aligned per sequence, most shared words first
  size_t cache_entries = 1 << 14;  // alignment cache (LRU) bound
  unsigned threads = 1;
  // Resumption. A group's sequences are processed in a fixed order, in
  // segments of `segment` sequences (rounded up to a whole batch of 256); after each segment `save`
  // is called (from the group's thread) with the group, the segment number and its assignments,
  // encoded. `saved` gives back such segments of a stopped run (group -> segment -> bytes): the
  // leading run of them that matches is taken as it is, and work goes on after it.
  size_t segment = 4096;
  std::function<void(uint64_t group, uint64_t segment, const std::string& bytes)> save;
  std::map<uint64_t, std::map<uint64_t, std::string>> saved;
  // Called with the number of sequences just assigned (a batch, or a saved
  // segment taken back), from the thread of their group: concurrently when
  // groups are reduced in parallel.
  std::function<void(uint64_t sequences)> progress;
};

struct ReduceAssignment {
  int64_t reference = -1;  // index of the reference; -1: this is a reference
  EditScript script;       // reference -> this sequence (children only)
  double identity = 1.0;
};

struct ReduceStats {
  uint64_t sequences = 0, references = 0, children = 0;
  uint64_t alignments = 0;  // computed
  uint64_t cache_lookups = 0, cache_hits = 0;
  uint64_t promoted = 0;  // children made references to meet a ratio
  uint64_t demoted = 0;   // references paired below kRatioFloorIdentity to meet one
  uint64_t resumed = 0;   // sequences taken from saved segments
  ReduceStats& operator+=(const ReduceStats& o) {
    sequences += o.sequences;
    references += o.references;
    children += o.children;
    alignments += o.alignments;
    cache_lookups += o.cache_lookups;
    cache_hits += o.cache_hits;
    promoted += o.promoted;
    demoted += o.demoted;
    resumed += o.resumed;
    return *this;
  }
  double hit_rate() const {
    return cache_lookups ? static_cast<double>(cache_hits) / static_cast<double>(cache_lookups) : 0;
  }
};

core::Result<std::vector<ReduceAssignment>> ReduceSequences(std::span<const ReduceInput> inputs,
                                                            const ReduceParams& params,
                                                            ReduceStats* stats);

}  // namespace talaria::store
