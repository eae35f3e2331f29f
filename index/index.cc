#include "index/index.h"

#include "index/schema.h"

namespace talaria::index {

using core::Result;
using core::Status;

Index::Index(std::unique_ptr<LmdbEnv> env)
    : env_(std::move(env)),
      objects_(env_->dbi(kObjectsTable)),
      packs_(env_->dbi(kPacksTable)),
      meta_(env_->dbi(kMetaTable)),
      databases_(env_->dbi(kDatabasesTable)),
      chunks_(env_->dbi(kChunksTable), env_->dbi(kTaxonChunksTable)),
      taxonomy_(env_->dbi(kTaxonomyTable), env_->dbi(kTaxonomyChildrenTable)),
      state_(env_->dbi(kStateTable)),
      reductions_(env_->dbi(kReductionsTable), env_->dbi(kChildDeltasTable),
                  env_->dbi(kReferenceDeltasTable)) {}

namespace {

// Reads the schema version with only the meta table open, so that an index
// of another schema is judged before anything else is touched.
Status CheckSchema(const std::string& dir, const EnvOptions& options) {
  TALARIA_ASSIGN_OR_RETURN(auto env, LmdbEnv::Open(dir, {{kMetaTable}}, options));
  TALARIA_ASSIGN_OR_RETURN(ReadTxn txn, env->BeginRead());
  MetaTable meta(env->dbi(kMetaTable));
  TALARIA_ASSIGN_OR_RETURN(auto version, meta.GetU64(txn, kMetaSchemaVersion));
  if (!version) return core::Corruption("index " + dir + " has no schema version");
  if (*version > kSchemaVersion) {
    return core::Unsupported("index " + dir + " has schema version " + std::to_string(*version) +
                             ", newer than this build's " + std::to_string(kSchemaVersion) +
                             ": upgrade talariafs");
  }
  if (*version < kSchemaVersion) {
    return core::Unsupported("index " + dir + " has schema version " + std::to_string(*version) +
                             ", older than this build's " + std::to_string(kSchemaVersion) +
                             ": run talaria-store index rebuild");
  }
  return core::OkStatus();
}

}  // namespace

Result<std::unique_ptr<Index>> Index::Open(const std::string& dir, const EnvOptions& options) {
  std::vector<TableSpec> tables = {{kObjectsTable},
                                   {kPacksTable},
                                   {kMetaTable},
                                   {kDatabasesTable},
                                   {kChunksTable},
                                   {kTaxonChunksTable, MDB_DUPSORT},
                                   {kTaxonomyTable},
                                   {kTaxonomyChildrenTable, MDB_DUPSORT},
                                   {kStateTable},
                                   {kReductionsTable},
                                   {kChildDeltasTable, MDB_DUPSORT},
                                   {kReferenceDeltasTable, MDB_DUPSORT}};
  if (!options.create) TALARIA_RETURN_IF_ERROR(CheckSchema(dir, options));
  TALARIA_ASSIGN_OR_RETURN(auto env, LmdbEnv::Open(dir, tables, options));
  auto index = std::make_unique<Index>(std::move(env));
  if (!options.create) return index;
  TALARIA_RETURN_IF_ERROR(index->Update([&](WriteTxn& txn) -> Status {
    TALARIA_ASSIGN_OR_RETURN(auto v, index->meta().GetU64(txn, kMetaSchemaVersion));
    if (v && *v != kSchemaVersion) {
      return core::Unsupported("index " + dir + " has schema version " + std::to_string(*v) +
                               ", this build writes " + std::to_string(kSchemaVersion));
    }
    return index->meta().PutU64(txn, kMetaSchemaVersion, kSchemaVersion);
  }));
  return index;
}

}  // namespace talaria::index
