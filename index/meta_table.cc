#include "index/meta_table.h"

#include "store/core/coding.h"

namespace talaria::index {

using core::Result;
using core::Status;

Result<std::optional<uint64_t>> MetaTable::GetU64(const Txn& txn, std::string_view name) const {
  TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(dbi_, name));
  if (!v) return std::optional<uint64_t>();
  if (v->size() != 8)
    return core::Corruption("index meta '" + std::string(name) + "' is not 8 bytes");
  return std::optional<uint64_t>(core::DecodeFixed64(v->data()));
}

Status MetaTable::PutU64(WriteTxn& txn, std::string_view name, uint64_t value) const {
  std::string v;
  core::PutFixed64(&v, value);
  return txn.Put(dbi_, name, v);
}

Result<std::optional<std::string>> MetaTable::GetString(const Txn& txn,
                                                        std::string_view name) const {
  TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(dbi_, name));
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(std::string(*v));
}

Status MetaTable::PutString(WriteTxn& txn, std::string_view name, std::string_view value) const {
  return txn.Put(dbi_, name, value);
}

Status MetaTable::Delete(WriteTxn& txn, std::string_view name) const {
  Status st = txn.Delete(dbi_, name);
  if (!st && st.error().code() == core::Code::kNotFound) return core::OkStatus();
  return st;
}

}  // namespace talaria::index
