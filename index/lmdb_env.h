#pragma once

// One LMDB environment (a directory holding data.mdb and lock.mdb) with its
// named tables opened.
//
// Many processes may open the same environment: readers never block, and
// LMDB serialises writers. The memory map grows on demand: Update() answers
// MDB_MAP_FULL by aborting, doubling the map (up to max_map_bytes) and
// running the transaction again; growth by another process is adopted when
// the next transaction begins.
//
// Thread-safe. A thread must not begin a write transaction (Update) while
// it holds a ReadTxn: end reads first.

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "index/env_options.h"
#include "index/lmdb_txn.h"
#include "store/core/mutex.h"
#include "store/core/status.h"

namespace talaria::index {

struct TableSpec {
  std::string name;
  unsigned flags = 0;  // MDB_DUPSORT, MDB_INTEGERKEY, ...
};

class LmdbEnv {
 public:
  static core::Result<std::unique_ptr<LmdbEnv>> Open(const std::string& dir,
                                                     const std::vector<TableSpec>& tables,
                                                     const EnvOptions& options);
  // Use Open(); public only for std::make_unique.
  struct Passkey {
   private:
    Passkey() = default;
    friend class LmdbEnv;
  };
  LmdbEnv(Passkey, MDB_env* env, std::string dir, const EnvOptions& options)
      : env_(env), dir_(std::move(dir)), options_(options) {}
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  // The handle of a table named at Open. Aborts on an unknown name (a bug).
  MDB_dbi dbi(const std::string& table) const;

  core::Result<ReadTxn> BeginRead() const;

  // Runs `fn` in a write transaction and commits it. If the map fills up
  // (during fn or the commit) the map grows and `fn` runs again from the
  // start, so it must only act through the transaction it is given.
  core::Status Update(const std::function<core::Status(WriteTxn&)>& fn);

  uint64_t map_bytes() const;
  const std::string& dir() const { return dir_; }

 private:
  core::Result<MDB_txn*> Begin(unsigned flags) const;
  core::Status Grow(uint64_t at_least);
  core::Status AdoptResize() const;

  MDB_env* env_;
  std::string dir_;
  EnvOptions options_;
  std::map<std::string, MDB_dbi> dbis_;
  // Held shared by every open transaction of this process and exclusively
  // to change the map size (LMDB forbids resizing under live txns).
  mutable core::SharedMutex resize_mu_;
};

}  // namespace talaria::index
