#include "index/database_table.h"

#include <algorithm>

#include "store/core/coding.h"

namespace talaria::index {

using core::Result;
using core::Status;

namespace {

std::string Key(const std::string& name, const std::string& version) {
  std::string k = name;
  k.push_back('\0');
  k += version;
  return k;
}

Result<DatabaseVersion> Decode(std::string_view key, std::string_view value) {
  size_t zero = key.find('\0');
  if (zero == std::string_view::npos || value.size() != 48) {
    return core::Corruption("malformed index database entry");
  }
  DatabaseVersion v;
  v.name = std::string(key.substr(0, zero));
  v.version = std::string(key.substr(zero + 1));
  v.manifest = core::ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(value.data()));
  v.ingested_unix_s = core::DecodeFixed64(value.data() + 32);
  v.sequence = core::DecodeFixed64(value.data() + 40);
  return v;
}

}  // namespace

Result<std::optional<DatabaseVersion>> DatabaseTable::Get(const Txn& txn, const std::string& name,
                                                          const std::string& version) const {
  std::string key = Key(name, version);
  TALARIA_ASSIGN_OR_RETURN(auto value, txn.Get(dbi_, key));
  if (!value) return std::optional<DatabaseVersion>();
  TALARIA_ASSIGN_OR_RETURN(DatabaseVersion v, Decode(key, *value));
  return std::optional<DatabaseVersion>(v);
}

Status DatabaseTable::Put(WriteTxn& txn, const DatabaseVersion& v) const {
  std::string value(v.manifest.view());
  core::PutFixed64(&value, v.ingested_unix_s);
  core::PutFixed64(&value, v.sequence);
  return txn.Put(dbi_, Key(v.name, v.version), value);
}

Status DatabaseTable::Delete(WriteTxn& txn, const std::string& name,
                             const std::string& version) const {
  return txn.Delete(dbi_, Key(name, version));
}

Result<std::vector<DatabaseVersion>> DatabaseTable::List(const Txn& txn) const {
  std::vector<DatabaseVersion> out;
  TALARIA_RETURN_IF_ERROR(txn.ForEach(dbi_, [&](std::string_view k, std::string_view v) -> Status {
    TALARIA_ASSIGN_OR_RETURN(DatabaseVersion d, Decode(k, v));
    out.push_back(std::move(d));
    return core::OkStatus();
  }));
  return out;
}

Result<std::vector<DatabaseVersion>> DatabaseTable::Versions(const Txn& txn,
                                                             const std::string& name) const {
  std::vector<DatabaseVersion> out;
  TALARIA_RETURN_IF_ERROR(txn.ForEachWithPrefix(
      dbi_, Key(name, ""), [&](std::string_view k, std::string_view v) -> Status {
        TALARIA_ASSIGN_OR_RETURN(DatabaseVersion d, Decode(k, v));
        out.push_back(std::move(d));
        return core::OkStatus();
      }));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  return out;
}

Result<std::optional<DatabaseVersion>> DatabaseTable::Current(const Txn& txn,
                                                              const std::string& name) const {
  TALARIA_ASSIGN_OR_RETURN(auto versions, Versions(txn, name));
  if (versions.empty()) return std::optional<DatabaseVersion>();
  return std::optional<DatabaseVersion>(versions.back());
}

Result<uint64_t> DatabaseTable::NextSequence(const Txn& txn) const {
  uint64_t next = 1;
  TALARIA_ASSIGN_OR_RETURN(auto all, List(txn));
  for (const auto& v : all) next = std::max(next, v.sequence + 1);
  return next;
}

}  // namespace talaria::index
