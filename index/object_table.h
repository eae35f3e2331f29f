#pragma once

// The `objects` table: where each object lives and what it is.
// Key: the 32 raw bytes of the ObjectId. Value: a fixed 76-byte encoding.
// Thread-compatible (all state is in the transactions passed in).

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "index/lmdb_txn.h"
#include "store/core/object_id.h"
#include "store/core/status.h"

namespace talaria::index {

class ObjectTable {
 public:
  explicit ObjectTable(MDB_dbi dbi) : dbi_(dbi) {}

  core::Result<std::optional<ObjectEntry>> Get(const Txn& txn, const core::ObjectId& id) const;
  core::Status Put(WriteTxn& txn, const core::ObjectId& id, const ObjectEntry& e) const;
  // kNotFound if the id is absent.
  core::Status Delete(WriteTxn& txn, const core::ObjectId& id) const;
  // Calls fn for every object in id order; stops at and returns fn's first error.
  core::Status ForEach(
      const Txn& txn,
      const std::function<core::Status(const core::ObjectId&, const ObjectEntry&)>& fn) const;
  // Up to `limit` objects in id order, starting after `after` (from the
  // first when nullopt): one page of a listing that may span transactions.
  core::Result<std::vector<std::pair<core::ObjectId, ObjectEntry>>> Page(
      const Txn& txn, const std::optional<core::ObjectId>& after, size_t limit) const;
  core::Result<size_t> Count(const Txn& txn) const { return txn.Count(dbi_); }
  MDB_dbi dbi() const { return dbi_; }

 private:
  MDB_dbi dbi_;
};

}  // namespace talaria::index
