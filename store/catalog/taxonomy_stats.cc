#include "store/catalog/taxonomy_stats.h"

#include <algorithm>
#include <map>

#include "index/index.h"
#include "store/catalog/database_catalog.h"

namespace talaria::store {

core::Result<TaxonomyStats> ComputeTaxonomyStats(ObjectStore& store,
                                                 const std::optional<std::string>& database) {
  std::vector<index::DatabaseVersion> versions;
  if (database) {
    TALARIA_ASSIGN_OR_RETURN(index::DatabaseVersion v, ResolveDatabase(store, *database));
    versions.push_back(v);
  } else {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(auto all, store.index().databases().List(txn));
    std::map<std::string, index::DatabaseVersion> current;
    for (const auto& v : all) {
      auto it = current.find(v.name);
      if (it == current.end() || it->second.sequence < v.sequence) current[v.name] = v;
    }
    for (auto& [name, v] : current) versions.push_back(v);
  }
  TaxonomyStats stats;
  std::map<TaxonId, TaxonCount> counts;
  for (const auto& v : versions) {
    stats.versions.push_back(v.name + "/" + v.version);
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, v.manifest));
    for (const ManifestChunk& c : m.chunks) {
      for (const TaxonPiece& p : PiecesOf(c)) {
        TaxonCount& t = counts[p.taxon];
        t.taxon = p.taxon;
        t.records += p.records;
        t.residues += p.residues;
        t.bytes += p.length;
      }
      for (uint32_t taxon : ChunkTaxa(c)) counts[taxon].chunks++;
      stats.records += c.records;
      stats.residues += c.residues;
    }
  }
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  TALARIA_ASSIGN_OR_RETURN(stats.tree_nodes, store.index().taxonomy().Count(txn));
  for (auto& [taxon, t] : counts) {
    TALARIA_ASSIGN_OR_RETURN(auto node, store.index().taxonomy().Get(txn, taxon));
    if (node) {
      t.name = node->name;
      t.rank = node->rank;
    }
    stats.taxa.push_back(t);
  }
  std::sort(stats.taxa.begin(), stats.taxa.end(), [](const TaxonCount& a, const TaxonCount& b) {
    return a.records != b.records ? a.records > b.records : a.taxon < b.taxon;
  });
  return stats;
}

}  // namespace talaria::store
