#pragma once

// RAII LMDB transactions and cursors.
//
// Values returned by Get() and by cursors point into the memory map and
// stay valid only until the transaction ends (or, in a WriteTxn, until the
// next write): copy what must outlive it.
//
// Single-thread: a transaction and its cursors stay on the thread that
// began it. Keep read transactions short: an open reader stops LMDB reusing
// pages, so the file grows; never hold one across pack I/O or decompression.

#include <lmdb.h>

#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "store/core/mutex.h"
#include "store/core/status.h"

namespace talaria::index {

class Cursor;

// What both kinds of transaction can do.
class Txn {
 public:
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // The value under `key`, nullopt if there is none.
  core::Result<std::optional<std::string_view>> Get(MDB_dbi dbi, std::string_view key) const;
  core::Result<Cursor> OpenCursor(MDB_dbi dbi) const;
  // Calls fn(key, value) for every entry in key order; stops at and returns
  // fn's first error.
  core::Status ForEach(
      MDB_dbi dbi, const std::function<core::Status(std::string_view, std::string_view)>& fn) const;
  // The same for the entries whose key starts with `prefix` (in a dupsort
  // table with fixed-size keys: every value of one key).
  core::Status ForEachWithPrefix(
      MDB_dbi dbi, std::string_view prefix,
      const std::function<core::Status(std::string_view, std::string_view)>& fn) const;
  // Number of entries in a table.
  core::Result<size_t> Count(MDB_dbi dbi) const;
  MDB_txn* raw() const { return txn_; }

 protected:
  Txn(MDB_txn* txn, core::SharedMutex* resize_mu) : txn_(txn), resize_mu_(resize_mu) {}
  Txn(Txn&& o) noexcept
      : txn_(std::exchange(o.txn_, nullptr)), resize_mu_(std::exchange(o.resize_mu_, nullptr)) {}
  ~Txn() = default;
  void Release() NO_THREAD_SAFETY_ANALYSIS;  // aborts if still open, drops the resize lock

  MDB_txn* txn_;
  core::SharedMutex* resize_mu_;  // held shared for the transaction's life
};

// A read-only snapshot of the index; aborted by its destructor.
class ReadTxn : public Txn {
 public:
  ReadTxn(MDB_txn* txn, core::SharedMutex* resize_mu) : Txn(txn, resize_mu) {}
  ReadTxn(ReadTxn&& o) noexcept = default;
  ~ReadTxn() { Release(); }
};

// A write transaction: aborted by its destructor unless Commit() succeeded.
// Only one is open at a time per environment (LMDB serialises writers,
// across processes too).
class WriteTxn : public Txn {
 public:
  WriteTxn(MDB_txn* txn, core::SharedMutex* resize_mu) : Txn(txn, resize_mu) {}
  WriteTxn(WriteTxn&& o) noexcept = default;
  ~WriteTxn() { Release(); }

  core::Status Put(MDB_dbi dbi, std::string_view key, std::string_view value);
  // kNotFound if the key is absent.
  core::Status Delete(MDB_dbi dbi, std::string_view key);
  // Removes every entry of a table.
  core::Status Clear(MDB_dbi dbi);
  // Makes every write durable (LMDB syncs on commit). The txn is then closed.
  core::Status Commit();
};

// Iterates a table in key order. Lives inside the transaction that opened it.
class Cursor {
 public:
  explicit Cursor(MDB_cursor* c) : cursor_(c) {}
  Cursor(Cursor&& o) noexcept : cursor_(std::exchange(o.cursor_, nullptr)) {}
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor() {
    if (cursor_) mdb_cursor_close(cursor_);
  }

  using Entry = std::pair<std::string_view, std::string_view>;
  // The first entry, or nullopt when the table is empty.
  core::Result<std::optional<Entry>> First();
  // The next entry, or nullopt at the end.
  core::Result<std::optional<Entry>> Next();
  // The first entry with key >= `key`, or nullopt.
  core::Result<std::optional<Entry>> Seek(std::string_view key);

 private:
  core::Result<std::optional<Entry>> Move(MDB_cursor_op op, MDB_val* key);
  MDB_cursor* cursor_;
};

inline MDB_val ToVal(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view FromVal(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

}  // namespace talaria::index
