#pragma once

// The `state` table: progress of long operations that can be resumed
// (docs/FORMAT.md §5.9), keyed by an operation name such as "ingest:db/version". The
// value is the operation's own encoding (JSON, or bytes). Thread-compatible.

#include <functional>
#include <optional>
#include <string>

#include "index/lmdb_txn.h"
#include "store/core/status.h"

namespace talaria::index {

class StateTable {
 public:
  explicit StateTable(MDB_dbi dbi) : dbi_(dbi) {}

  core::Result<std::optional<std::string>> Get(const Txn& txn, const std::string& op) const {
    TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(dbi_, op));
    if (!v) return std::optional<std::string>();
    return std::optional<std::string>(std::string(*v));
  }
  core::Status Put(WriteTxn& txn, const std::string& op, const std::string& value) const {
    return txn.Put(dbi_, op, value);
  }
  // Every operation whose name starts with `prefix`, in name order.
  core::Status ForEachWithPrefix(
      const Txn& txn, const std::string& prefix,
      const std::function<core::Status(std::string_view, std::string_view)>& fn) const {
    return txn.ForEachWithPrefix(dbi_, prefix, fn);
  }
  // Absent operations are fine.
  core::Status Delete(WriteTxn& txn, const std::string& op) const {
    auto st = txn.Delete(dbi_, op);
    if (!st && st.error().code() == core::Code::kNotFound) return core::OkStatus();
    return st;
  }

 private:
  MDB_dbi dbi_;
};

}  // namespace talaria::index
