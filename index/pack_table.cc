#include "index/pack_table.h"

#include <string>

#include "store/core/coding.h"

namespace talaria::index {

using core::Result;
using core::Status;

namespace {
std::string Key(uint64_t pack) {
  std::string k(8, '\0');
  core::EncodeBigEndian64(k.data(), pack);
  return k;
}
Result<PackEntry> Decode(std::string_view v) {
  if (v.size() != 16)
    return core::Corruption("index pack entry of " + std::to_string(v.size()) + " bytes");
  return PackEntry{core::DecodeFixed64(v.data()), core::DecodeFixed64(v.data() + 8)};
}
}  // namespace

Result<std::optional<PackEntry>> PackTable::Get(const Txn& txn, uint64_t pack) const {
  TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(dbi_, Key(pack)));
  if (!v) return std::optional<PackEntry>();
  TALARIA_ASSIGN_OR_RETURN(PackEntry e, Decode(*v));
  return std::optional<PackEntry>(e);
}

Status PackTable::Put(WriteTxn& txn, uint64_t pack, const PackEntry& e) const {
  std::string v;
  core::PutFixed64(&v, e.committed_len);
  core::PutFixed64(&v, e.records);
  return txn.Put(dbi_, Key(pack), v);
}

Status PackTable::Delete(WriteTxn& txn, uint64_t pack) const { return txn.Delete(dbi_, Key(pack)); }

Status PackTable::ForEach(const Txn& txn,
                          const std::function<Status(uint64_t, const PackEntry&)>& fn) const {
  return txn.ForEach(dbi_, [&](std::string_view key, std::string_view value) -> Status {
    if (key.size() != 8) return core::Corruption("index pack key is not 8 bytes");
    TALARIA_ASSIGN_OR_RETURN(PackEntry e, Decode(value));
    return fn(core::DecodeBigEndian64(key.data()), e);
  });
}

}  // namespace talaria::index
