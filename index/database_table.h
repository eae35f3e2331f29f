#pragma once

// The `databases` table: every database version and its manifest.
// Key: name '\0' version. Value: manifest id (32 bytes), ingest time (unix
// seconds, u64) and ingest sequence number (u64). The manifest itself holds
// no time; the index does. A database's current version is the one ingested
// last. Thread-compatible.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "index/entries.h"
#include "index/lmdb_txn.h"
#include "store/core/object_id.h"
#include "store/core/status.h"

namespace talaria::index {

class DatabaseTable {
 public:
  explicit DatabaseTable(MDB_dbi dbi) : dbi_(dbi) {}

  core::Result<std::optional<DatabaseVersion>> Get(const Txn& txn, const std::string& name,
                                                   const std::string& version) const;
  core::Status Put(WriteTxn& txn, const DatabaseVersion& v) const;
  // kNotFound if there is no such version.
  core::Status Delete(WriteTxn& txn, const std::string& name, const std::string& version) const;
  // All versions of all databases, by name then version.
  core::Result<std::vector<DatabaseVersion>> List(const Txn& txn) const;
  // The versions of one database, oldest ingest first.
  core::Result<std::vector<DatabaseVersion>> Versions(const Txn& txn,
                                                      const std::string& name) const;
  // The newest version of a database, or nullopt if it has none.
  core::Result<std::optional<DatabaseVersion>> Current(const Txn& txn,
                                                       const std::string& name) const;
  // One more than the largest sequence number in use.
  core::Result<uint64_t> NextSequence(const Txn& txn) const;

 private:
  MDB_dbi dbi_;
};

}  // namespace talaria::index
