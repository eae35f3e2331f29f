#include "index/lmdb_env.h"

#include <cstdlib>

#include "index/lmdb_status.h"
#include "store/core/file_io.h"

namespace talaria::index {

using core::Result;
using core::Status;

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::Open(const std::string& dir,
                                               const std::vector<TableSpec>& tables,
                                               const EnvOptions& options) {
  if (options.create) {
    TALARIA_RETURN_IF_ERROR(core::MakeDirs(dir));
  } else if (!core::PathExists(dir + "/data.mdb")) {
    return core::NotFound("index " + dir + " does not exist");
  }
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != 0) return LmdbError("index create", rc);
  auto env = std::make_unique<LmdbEnv>(Passkey(), raw, dir, options);
  mdb_env_set_maxdbs(raw, static_cast<MDB_dbi>(tables.size() + 2));
  mdb_env_set_maxreaders(raw, options.max_readers);
  // Keep the larger of the requested size and the file's (set after open).
  mdb_env_set_mapsize(raw, options.initial_map_bytes);
  rc = mdb_env_open(raw, dir.c_str(), MDB_NOTLS, 0644);
  if (rc != 0) return LmdbError("open index " + dir, rc);
  int dead = 0;
  mdb_reader_check(raw, &dead);  // clear reader slots of crashed processes

  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(raw, nullptr, options.create ? 0 : MDB_RDONLY, &txn);
  if (rc != 0) return LmdbError("open index " + dir, rc);
  for (const TableSpec& t : tables) {
    MDB_dbi dbi;
    rc = mdb_dbi_open(txn, t.name.c_str(), t.flags | (options.create ? MDB_CREATE : 0), &dbi);
    if (rc == MDB_NOTFOUND) {
      mdb_txn_abort(txn);
      return core::Corruption("index " + dir + " has no table '" + t.name + "'");
    }
    if (rc != 0) {
      mdb_txn_abort(txn);
      return LmdbError("open index table " + t.name, rc);
    }
    env->dbis_[t.name] = dbi;
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return LmdbError("open index " + dir, rc);
  return env;
}

LmdbEnv::~LmdbEnv() { mdb_env_close(env_); }

MDB_dbi LmdbEnv::dbi(const std::string& table) const {
  auto it = dbis_.find(table);
  if (it == dbis_.end()) std::abort();
  return it->second;
}

uint64_t LmdbEnv::map_bytes() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

Status LmdbEnv::AdoptResize() const NO_THREAD_SAFETY_ANALYSIS {
  core::WriterLock lock(&resize_mu_);
  int rc = mdb_env_set_mapsize(env_, 0);
  if (rc != 0) return LmdbError("adopt index map size", rc);
  return core::OkStatus();
}

// Begins a transaction with resize_mu_ held shared; the Txn releases it.
Result<MDB_txn*> LmdbEnv::Begin(unsigned flags) const NO_THREAD_SAFETY_ANALYSIS {
  for (int attempt = 0;; ++attempt) {
    resize_mu_.LockShared();
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, flags, &txn);
    if (rc == 0) return txn;
    resize_mu_.UnlockShared();
    if (rc != MDB_MAP_RESIZED || attempt > 3) return LmdbError("begin index transaction", rc);
    TALARIA_RETURN_IF_ERROR(AdoptResize());
  }
}

Result<ReadTxn> LmdbEnv::BeginRead() const {
  TALARIA_ASSIGN_OR_RETURN(MDB_txn * txn, Begin(MDB_RDONLY));
  return ReadTxn(txn, &resize_mu_);
}

Status LmdbEnv::Grow(uint64_t at_least) {
  core::WriterLock lock(&resize_mu_);
  uint64_t current = map_bytes();
  if (current > at_least) return core::OkStatus();  // another thread grew it
  if (current >= options_.max_map_bytes) {
    return core::NoSpace("index map is at its limit of " + std::to_string(current) + " bytes");
  }
  uint64_t next = std::min(current * 2, options_.max_map_bytes);
  int rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0) return LmdbError("grow index map", rc);
  return core::OkStatus();
}

Status LmdbEnv::Update(const std::function<Status(WriteTxn&)>& fn) {
  for (;;) {
    uint64_t size_before = map_bytes();
    Status st;
    {
      TALARIA_ASSIGN_OR_RETURN(MDB_txn * raw, Begin(0));
      WriteTxn txn(raw, &resize_mu_);
      st = fn(txn);
      if (st) st = txn.Commit();
    }
    if (st || !IsMapFull(st.error())) return st;
    TALARIA_RETURN_IF_ERROR(Grow(size_before));
  }
}

}  // namespace talaria::index
