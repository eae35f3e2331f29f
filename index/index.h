#pragma once

// The store's index: one LMDB environment holding the tables of
// schema.h. Open() refuses an index written by a newer schema
// (kUnsupported) and one that is not there (kNotFound) unless asked to
// create it.
//
// Thread-safe (see LmdbEnv for the one rule on nesting transactions).

#include <memory>
#include <string>

#include "index/chunk_table.h"
#include "index/database_table.h"
#include "index/lmdb_env.h"
#include "index/meta_table.h"
#include "index/object_table.h"
#include "index/pack_table.h"
#include "index/reduction_table.h"
#include "index/state_table.h"
#include "index/taxonomy_table.h"

namespace talaria::index {

class Index {
 public:
  static core::Result<std::unique_ptr<Index>> Open(const std::string& dir,
                                                   const EnvOptions& options);

  explicit Index(std::unique_ptr<LmdbEnv> env);

  LmdbEnv& env() { return *env_; }
  const LmdbEnv& env() const { return *env_; }
  const ObjectTable& objects() const { return objects_; }
  const PackTable& packs() const { return packs_; }
  const MetaTable& meta() const { return meta_; }
  const DatabaseTable& databases() const { return databases_; }
  const ChunkTable& chunks() const { return chunks_; }
  const TaxonomyTable& taxonomy() const { return taxonomy_; }
  const StateTable& state() const { return state_; }
  const ReductionTable& reductions() const { return reductions_; }

  core::Result<ReadTxn> BeginRead() const { return env_->BeginRead(); }
  core::Status Update(const std::function<core::Status(WriteTxn&)>& fn) { return env_->Update(fn); }

 private:
  std::unique_ptr<LmdbEnv> env_;
  ObjectTable objects_;
  PackTable packs_;
  MetaTable meta_;
  DatabaseTable databases_;
  ChunkTable chunks_;
  TaxonomyTable taxonomy_;
  StateTable state_;
  ReductionTable reductions_;
};

}  // namespace talaria::index
