#pragma once

// Global alignment of a child sequence against a reference inside a band
// around the main diagonal, minimising edits (unit cost for a substitution,
// an insertion or a deletion), with the edit script that turns the
// reference into the child. The band is as wide as an alignment of the
// required identity can stray from the diagonal, so a pair that reaches the
// identity is found; rows whose best cost already rules it out stop early.
//
// Thread-safe (pure function; scratch is per call).

#include <cstdint>
#include <optional>
#include <string_view>

#include "store/reduce/edit_script.h"

namespace talaria::store {

struct Alignment {
  EditScript script;  // reference -> child, exact
  ScriptStats stats;  // identity = copies / alignment columns
};

struct AlignmentLimits {
  double min_identity = 0.9;
  // Pairs needing more DP cells than this are not aligned (nullopt).
  uint64_t max_cells = uint64_t{64} << 20;
};

// The alignment, or nullopt when its identity is below min_identity (or the
// pair is too big for max_cells).
std::optional<Alignment> AlignBanded(std::string_view reference, std::string_view child,
                                     const AlignmentLimits& limits);

// The alignment along the main diagonal, whatever its identity: copies and
// substitutions over the common length, then the rest of the child inserted
// or of the reference deleted. O(n); always exact.
Alignment AlignDiagonal(std::string_view reference, std::string_view child);

}  // namespace talaria::store
