#pragma once

// The NCBI taxonomy tree (docs/FORMAT.md §5.7): `taxonomy` maps a taxid to its parent,
// rank and scientific name; `taxonomy_children` (dupsort) maps a taxid to
// its children, for subtree queries. Keys are big-endian u32.
// Thread-compatible.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "index/entries.h"
#include "index/lmdb_txn.h"
#include "store/core/status.h"

namespace talaria::index {

class TaxonomyTable {
 public:
  TaxonomyTable(MDB_dbi nodes, MDB_dbi children) : nodes_(nodes), children_(children) {}

  core::Result<std::optional<TaxonNode>> Get(const Txn& txn, uint32_t taxid) const;
  core::Status Put(WriteTxn& txn, const TaxonNode& node) const;
  // Removes the whole tree (before loading a new one).
  core::Status Clear(WriteTxn& txn) const;
  core::Result<std::vector<uint32_t>> Children(const Txn& txn, uint32_t taxid) const;
  // `taxid` and all its descendants, breadth first.
  core::Result<std::vector<uint32_t>> Subtree(const Txn& txn, uint32_t taxid) const;
  // taxid, parent, ..., root.
  core::Result<std::vector<TaxonNode>> Lineage(const Txn& txn, uint32_t taxid) const;
  core::Result<size_t> Count(const Txn& txn) const { return txn.Count(nodes_); }

 private:
  MDB_dbi nodes_;
  MDB_dbi children_;
};

}  // namespace talaria::index
