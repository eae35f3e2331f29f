#include "store/maintenance/roots.h"

#include "index/index.h"
#include "store/catalog/catalog_snapshot.h"
#include "store/catalog/database_catalog.h"
#include "store/reduce/reduction.h"

namespace talaria::store {

using core::ObjectId;
using core::Result;

Result<std::vector<ObjectId>> DatabaseRoots(ObjectStore& store) {
  std::vector<index::DatabaseVersion> versions;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(versions, store.index().databases().List(txn));
  }
  std::vector<ObjectId> roots;
  TALARIA_ASSIGN_OR_RETURN(auto catalog, CurrentCatalogSnapshot(store));
  if (catalog) roots.push_back(*catalog);
  for (const auto& v : versions) {
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, v.manifest));
    std::vector<ObjectId> objects = VersionObjects(v.manifest, m);
    roots.insert(roots.end(), objects.begin(), objects.end());
  }
  TALARIA_ASSIGN_OR_RETURN(std::vector<ReductionInfo> reductions, ListReductions(store));
  for (const ReductionInfo& r : reductions) {
    std::vector<ObjectId> objects = ReductionObjects(r.entry.manifest, r.manifest);
    roots.insert(roots.end(), objects.begin(), objects.end());
  }
  return roots;
}

}  // namespace talaria::store
