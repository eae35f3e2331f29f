#pragma once

// The reduction tables (docs/FORMAT.md §5.8): `reductions` (profile -> its reduction
// manifest, when it was made, how long it took), `child_deltas` (profile,
// child id -> the delta chunks holding that child; dupsort) and
// `reference_deltas` (profile, reference id -> the delta chunks holding its
// children; dupsort). Ids longer than fit an LMDB key are keyed by their
// SHA-256. Thread-compatible (all state is in the transactions passed in).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "index/lmdb_txn.h"
#include "store/core/object_id.h"
#include "store/core/status.h"

namespace talaria::index {

class ReductionTable {
 public:
  ReductionTable(MDB_dbi reductions, MDB_dbi child_deltas, MDB_dbi reference_deltas)
      : reductions_(reductions), child_deltas_(child_deltas), reference_deltas_(reference_deltas) {}

  core::Status Put(WriteTxn& txn, const std::string& profile, const ReductionEntry& e) const;
  core::Result<std::optional<ReductionEntry>> Get(const Txn& txn, const std::string& profile) const;
  // Every profile, by name.
  core::Result<std::vector<std::pair<std::string, ReductionEntry>>> List(const Txn& txn) const;
  // Removes the profile and its child and reference entries; kNotFound if absent.
  core::Status Delete(WriteTxn& txn, const std::string& profile) const;

  core::Status AddChild(WriteTxn& txn, const std::string& profile, std::string_view child_id,
                        const core::ObjectId& delta_chunk) const;
  core::Status AddReference(WriteTxn& txn, const std::string& profile,
                            std::string_view reference_id, const core::ObjectId& delta_chunk) const;
  core::Result<std::vector<core::ObjectId>> ChildDeltaChunks(const Txn& txn,
                                                             const std::string& profile,
                                                             std::string_view child_id) const;
  core::Result<std::vector<core::ObjectId>> ReferenceDeltaChunks(
      const Txn& txn, const std::string& profile, std::string_view reference_id) const;

 private:
  MDB_dbi reductions_, child_deltas_, reference_deltas_;
};

}  // namespace talaria::index
