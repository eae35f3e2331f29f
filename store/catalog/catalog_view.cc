#include "store/catalog/catalog_view.h"

#include <map>

#include "index/chunk_query.h"
#include "index/index.h"
#include "index/schema.h"
#include "store/catalog/database_catalog.h"
#include "store/object/object_store.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;

namespace {

// Runs `fn(index, txn)` in a fresh read transaction that ends before returning.
template <typename Fn>
auto Read(ObjectStore* store, Fn&& fn)
    -> decltype(fn(store->index(), std::declval<index::ReadTxn&>())) {
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store->index().BeginRead());
  return fn(store->index(), txn);
}

}  // namespace

Result<std::vector<DatabaseVersion>> CatalogView::AllVersions() const {
  return Read(store_,
              [](const index::Index& ix, index::ReadTxn& txn) { return ix.databases().List(txn); });
}

Result<std::vector<DatabaseVersion>> CatalogView::Versions(const std::string& db) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.databases().Versions(txn, db);
  });
}

Result<std::optional<DatabaseVersion>> CatalogView::Version(const std::string& db,
                                                            const std::string& version) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.databases().Get(txn, db, version);
  });
}

Result<std::optional<DatabaseVersion>> CatalogView::Current(const std::string& db) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.databases().Current(txn, db);
  });
}

Result<std::vector<DatabaseVersion>> CatalogView::CurrentVersions() const {
  TALARIA_ASSIGN_OR_RETURN(std::vector<DatabaseVersion> all, AllVersions());
  std::map<std::string, DatabaseVersion> newest;
  for (auto& v : all) {
    auto it = newest.find(v.name);
    if (it == newest.end() || it->second.sequence < v.sequence) newest[v.name] = v;
  }
  std::vector<DatabaseVersion> out;
  for (auto& [name, v] : newest) out.push_back(std::move(v));
  return out;
}

Result<std::optional<TaxonNode>> CatalogView::Taxon(uint32_t taxid) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.taxonomy().Get(txn, taxid);
  });
}

Result<std::vector<uint32_t>> CatalogView::Subtree(uint32_t taxid) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.taxonomy().Subtree(txn, taxid);
  });
}

Result<std::vector<TaxonNode>> CatalogView::Lineage(uint32_t taxid) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.taxonomy().Lineage(txn, taxid);
  });
}

Result<size_t> CatalogView::TaxonCount() const {
  return Read(store_,
              [](const index::Index& ix, index::ReadTxn& txn) { return ix.taxonomy().Count(txn); });
}

Result<uint64_t> CatalogView::TaxonomyGeneration() const {
  TALARIA_ASSIGN_OR_RETURN(std::optional<uint64_t> generation,
                           Read(store_, [](const index::Index& ix, index::ReadTxn& txn) {
                             return ix.meta().GetU64(txn, index::kMetaTaxonomyGeneration);
                           }));
  return generation.value_or(0);
}

Result<std::vector<ObjectId>> CatalogView::ChunksOfTaxon(uint32_t taxid) const {
  TALARIA_ASSIGN_OR_RETURN(auto held, ChunksHoldingTaxa(*store_, {taxid}));
  return std::vector<ObjectId>(held.begin(), held.end());
}

Result<std::vector<ChunkHit>> CatalogView::QueryChunks(const ChunkQuery& query) const {
  ChunkQuery q = query;
  if (!q.taxa.empty()) {
    TALARIA_ASSIGN_OR_RETURN(auto held, ChunksHoldingTaxa(*store_, {q.taxa.begin(), q.taxa.end()}));
    q.also.assign(held.begin(), held.end());
  }
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return index::RunChunkQuery(txn, ix.chunks(), ix.objects(), q);
  });
}

Result<std::optional<ReductionEntry>> CatalogView::Reduction(const std::string& profile) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.reductions().Get(txn, profile);
  });
}

Result<std::vector<std::pair<std::string, ReductionEntry>>> CatalogView::Reductions() const {
  return Read(store_, [](const index::Index& ix, index::ReadTxn& txn) {
    return ix.reductions().List(txn);
  });
}

Result<std::vector<std::pair<ObjectId, ObjectEntry>>> CatalogView::ObjectPage(
    const std::optional<ObjectId>& after, size_t limit) const {
  return Read(store_, [&](const index::Index& ix, index::ReadTxn& txn) {
    return ix.objects().Page(txn, after, limit);
  });
}

}  // namespace talaria::store
