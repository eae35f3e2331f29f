#pragma once

// An accession -> taxid map read from NCBI *.accession2taxid files (columns
// accession, accession.version, taxid, gi; a header line; plain or
// gzipped). Rows go into a temporary LMDB environment on disk, so tables of
// tens of millions of rows never have to fit in memory; the directory is
// removed with the object. Single-thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/lmdb_env.h"
#include "store/core/status.h"
#include "store/fasta/taxon_parser.h"

namespace talaria::store {

class TaxMap {
 public:
  // Reads `files` into a new environment under `scratch_dir` (created).
  // kParse names file and line of a malformed row. `progress` gets the rows
  // read so far now and then.
  static core::Result<std::unique_ptr<TaxMap>> Build(
      const std::vector<std::string>& files, const std::string& scratch_dir,
      const std::function<void(uint64_t rows)>& progress = {});
  ~TaxMap();

  // The taxon of a FASTA sequence id, trying the keys of AccessionKeys().
  core::Result<std::optional<TaxonId>> Lookup(std::string_view seq_id);
  uint64_t rows() const { return rows_; }

  TaxMap(std::unique_ptr<index::LmdbEnv> env, std::string dir, uint64_t rows)
      : env_(std::move(env)), dir_(std::move(dir)), rows_(rows) {}

 private:
  std::unique_ptr<index::LmdbEnv> env_;
  std::string dir_;
  uint64_t rows_ = 0;
  std::optional<index::ReadTxn> txn_;  // one snapshot for all lookups
};

}  // namespace talaria::store
