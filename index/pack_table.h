#pragma once

// The `packs` table: for each pack number, how many of its bytes are
// committed (durable and indexed). Bytes past committed_len were written by
// a writer that died before its index commit; they are never read and the
// next writer cuts them off. Thread-compatible.

#include <cstdint>
#include <functional>
#include <optional>

#include "index/entries.h"
#include "index/lmdb_txn.h"
#include "store/core/status.h"

namespace talaria::index {

class PackTable {
 public:
  explicit PackTable(MDB_dbi dbi) : dbi_(dbi) {}

  core::Result<std::optional<PackEntry>> Get(const Txn& txn, uint64_t pack) const;
  core::Status Put(WriteTxn& txn, uint64_t pack, const PackEntry& e) const;
  core::Status Delete(WriteTxn& txn, uint64_t pack) const;
  // Every pack in ascending number.
  core::Status ForEach(const Txn& txn,
                       const std::function<core::Status(uint64_t, const PackEntry&)>& fn) const;
  MDB_dbi dbi() const { return dbi_; }

 private:
  MDB_dbi dbi_;
};

}  // namespace talaria::index
