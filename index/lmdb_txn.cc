#include "index/lmdb_txn.h"

#include "index/lmdb_status.h"

namespace talaria::index {

using core::Result;
using core::Status;

void Txn::Release() {
  if (txn_) mdb_txn_abort(txn_);
  txn_ = nullptr;
  if (resize_mu_) resize_mu_->UnlockShared();
  resize_mu_ = nullptr;
}

Result<std::optional<std::string_view>> Txn::Get(MDB_dbi dbi, std::string_view key) const {
  MDB_val k = ToVal(key), v;
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return LmdbError("index get", rc);
  return std::optional<std::string_view>(FromVal(v));
}

Result<Cursor> Txn::OpenCursor(MDB_dbi dbi) const {
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(txn_, dbi, &c);
  if (rc != 0) return LmdbError("index cursor", rc);
  return Cursor(c);
}

Status Txn::ForEach(MDB_dbi dbi,
                    const std::function<Status(std::string_view, std::string_view)>& fn) const {
  TALARIA_ASSIGN_OR_RETURN(Cursor cursor, OpenCursor(dbi));
  TALARIA_ASSIGN_OR_RETURN(auto entry, cursor.First());
  while (entry) {
    TALARIA_RETURN_IF_ERROR(fn(entry->first, entry->second));
    TALARIA_ASSIGN_OR_RETURN(entry, cursor.Next());
  }
  return core::OkStatus();
}

Status Txn::ForEachWithPrefix(
    MDB_dbi dbi, std::string_view prefix,
    const std::function<Status(std::string_view, std::string_view)>& fn) const {
  TALARIA_ASSIGN_OR_RETURN(Cursor cursor, OpenCursor(dbi));
  TALARIA_ASSIGN_OR_RETURN(auto entry, cursor.Seek(prefix));
  while (entry && entry->first.substr(0, prefix.size()) == prefix) {
    TALARIA_RETURN_IF_ERROR(fn(entry->first, entry->second));
    TALARIA_ASSIGN_OR_RETURN(entry, cursor.Next());
  }
  return core::OkStatus();
}

Result<size_t> Txn::Count(MDB_dbi dbi) const {
  MDB_stat st;
  int rc = mdb_stat(txn_, dbi, &st);
  if (rc != 0) return LmdbError("index stat", rc);
  return st.ms_entries;
}

Status WriteTxn::Put(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = ToVal(key), v = ToVal(value);
  int rc = mdb_put(txn_, dbi, &k, &v, 0);
  if (rc != 0) return LmdbError("index put", rc);
  return core::OkStatus();
}

Status WriteTxn::Delete(MDB_dbi dbi, std::string_view key) {
  MDB_val k = ToVal(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc != 0) return LmdbError("index delete", rc);
  return core::OkStatus();
}

Status WriteTxn::Clear(MDB_dbi dbi) {
  int rc = mdb_drop(txn_, dbi, 0);
  if (rc != 0) return LmdbError("index clear", rc);
  return core::OkStatus();
}

Status WriteTxn::Commit() {
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;  // committed or failed, LMDB has freed it
  if (rc != 0) return LmdbError("index commit", rc);
  return core::OkStatus();
}

Result<std::optional<Cursor::Entry>> Cursor::Move(MDB_cursor_op op, MDB_val* key) {
  MDB_val k{0, nullptr}, v{0, nullptr};
  if (key) k = *key;
  int rc = mdb_cursor_get(cursor_, &k, &v, op);
  if (rc == MDB_NOTFOUND) return std::optional<Entry>();
  if (rc != 0) return LmdbError("index cursor", rc);
  return std::optional<Entry>(Entry{FromVal(k), FromVal(v)});
}

Result<std::optional<Cursor::Entry>> Cursor::First() { return Move(MDB_FIRST, nullptr); }
Result<std::optional<Cursor::Entry>> Cursor::Next() { return Move(MDB_NEXT, nullptr); }
Result<std::optional<Cursor::Entry>> Cursor::Seek(std::string_view key) {
  MDB_val k = ToVal(key);
  return Move(MDB_SET_RANGE, &k);
}

}  // namespace talaria::index
