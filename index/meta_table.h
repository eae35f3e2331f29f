#pragma once

// The `meta` table: named values (schema version, counters).
// Thread-compatible.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "index/lmdb_txn.h"
#include "store/core/status.h"

namespace talaria::index {

class MetaTable {
 public:
  explicit MetaTable(MDB_dbi dbi) : dbi_(dbi) {}

  core::Result<std::optional<uint64_t>> GetU64(const Txn& txn, std::string_view name) const;
  core::Status PutU64(WriteTxn& txn, std::string_view name, uint64_t value) const;
  core::Result<std::optional<std::string>> GetString(const Txn& txn, std::string_view name) const;
  core::Status PutString(WriteTxn& txn, std::string_view name, std::string_view value) const;
  // Removes `name`; a name not present is not an error.
  core::Status Delete(WriteTxn& txn, std::string_view name) const;

 private:
  MDB_dbi dbi_;
};

}  // namespace talaria::index
