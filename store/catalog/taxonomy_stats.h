#pragma once

// TaxonomyStats: records, residues, chunks and bytes per taxon,
// over the current version of every database (or one given version),
// with names and ranks when a taxonomy tree is loaded.
// Thread-safe (as the ObjectStore).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/fasta/taxon_parser.h"
#include "store/object/object_store.h"

namespace talaria::store {

// A record of several taxa (NCBI nr) counts under each of them.
struct TaxonCount {
  TaxonId taxon = 0;
  uint64_t records = 0;
  uint64_t residues = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::string name;  // empty without a taxonomy tree
  std::string rank;
};

struct TaxonomyStats {
  std::vector<std::string> versions;  // "name/version" covered
  std::vector<TaxonCount> taxa;       // most records first, then by taxid
  uint64_t records = 0;               // each record once
  uint64_t residues = 0;
  uint64_t tree_nodes = 0;  // taxonomy nodes loaded (0: none)
};

// `database`: "NAME" or "NAME/VERSION"; nullopt = the current version of each.
core::Result<TaxonomyStats> ComputeTaxonomyStats(ObjectStore& store,
                                                 const std::optional<std::string>& database);

}  // namespace talaria::store
