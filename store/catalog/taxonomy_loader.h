#pragma once

// Loads an NCBI taxdump (nodes.dmp, names.dmp) into the index's taxonomy
// tables, replacing any tree loaded before, in one transaction: readers see
// the old tree or the new one. Malformed lines are kParse errors naming
// file and line. Single-thread.

#include <cstdint>
#include <string>

#include "store/core/status.h"
#include "store/object/writable_store.h"

namespace talaria::store {

struct TaxonomyLoadResult {
  uint64_t nodes = 0;
  uint64_t names = 0;  // scientific names found
};

core::Result<TaxonomyLoadResult> LoadTaxonomy(WritableStore& store, const std::string& nodes_dmp,
                                              const std::string& names_dmp);

}  // namespace talaria::store
