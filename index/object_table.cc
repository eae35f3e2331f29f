#include "index/object_table.h"

#include <string>

#include "store/core/coding.h"

namespace talaria::index {

using core::Result;
using core::Status;

namespace {

constexpr size_t kEntrySize = 76;
constexpr uint8_t kFlagDictionary = 0x01;

std::string Encode(const ObjectEntry& e) {
  std::string v;
  v.reserve(kEntrySize);
  core::PutFixed64(&v, e.pack);
  core::PutFixed64(&v, e.offset);
  core::PutFixed64(&v, e.record_len);
  v.push_back(static_cast<char>(e.kind));
  v.push_back(static_cast<char>(e.codec));
  v.push_back(static_cast<char>(e.depth));
  v.push_back(static_cast<char>(e.dictionary ? kFlagDictionary : 0));
  core::PutFixed64(&v, e.raw_len);
  core::PutFixed64(&v, e.stored_len);
  v.append(e.base.view());
  return v;
}

Result<ObjectEntry> Decode(std::string_view v) {
  if (v.size() != kEntrySize) {
    return core::Corruption("index object entry of " + std::to_string(v.size()) + " bytes");
  }
  const char* p = v.data();
  ObjectEntry e;
  e.pack = core::DecodeFixed64(p);
  e.offset = core::DecodeFixed64(p + 8);
  e.record_len = core::DecodeFixed64(p + 16);
  e.kind = static_cast<uint8_t>(p[24]);
  e.codec = static_cast<uint8_t>(p[25]);
  e.depth = static_cast<uint8_t>(p[26]);
  // Stores written before dictionaries hold 0 here.
  e.dictionary = (static_cast<uint8_t>(p[27]) & kFlagDictionary) != 0;
  e.raw_len = core::DecodeFixed64(p + 28);
  e.stored_len = core::DecodeFixed64(p + 36);
  e.base = core::ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(p + 44));
  return e;
}

}  // namespace

Result<std::optional<ObjectEntry>> ObjectTable::Get(const Txn& txn,
                                                    const core::ObjectId& id) const {
  TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(dbi_, id.view()));
  if (!v) return std::optional<ObjectEntry>();
  TALARIA_ASSIGN_OR_RETURN(ObjectEntry e, Decode(*v));
  return std::optional<ObjectEntry>(e);
}

Status ObjectTable::Put(WriteTxn& txn, const core::ObjectId& id, const ObjectEntry& e) const {
  return txn.Put(dbi_, id.view(), Encode(e));
}

Status ObjectTable::Delete(WriteTxn& txn, const core::ObjectId& id) const {
  return txn.Delete(dbi_, id.view());
}

Status ObjectTable::ForEach(
    const Txn& txn,
    const std::function<Status(const core::ObjectId&, const ObjectEntry&)>& fn) const {
  return txn.ForEach(dbi_, [&](std::string_view key, std::string_view value) -> Status {
    if (key.size() != core::ObjectId::kSize) {
      return core::Corruption("index object key of " + std::to_string(key.size()) + " bytes");
    }
    TALARIA_ASSIGN_OR_RETURN(ObjectEntry e, Decode(value));
    return fn(core::ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(key.data())), e);
  });
}

Result<std::vector<std::pair<core::ObjectId, ObjectEntry>>> ObjectTable::Page(
    const Txn& txn, const std::optional<core::ObjectId>& after, size_t limit) const {
  std::vector<std::pair<core::ObjectId, ObjectEntry>> out;
  TALARIA_ASSIGN_OR_RETURN(Cursor cursor, txn.OpenCursor(dbi_));
  TALARIA_ASSIGN_OR_RETURN(auto kv, after ? cursor.Seek(after->view()) : cursor.First());
  if (kv && after && kv->first == after->view()) {
    TALARIA_ASSIGN_OR_RETURN(kv, cursor.Next());
  }
  for (; kv && out.size() < limit;) {
    if (kv->first.size() != core::ObjectId::kSize) {
      return core::Corruption("index object key of " + std::to_string(kv->first.size()) + " bytes");
    }
    TALARIA_ASSIGN_OR_RETURN(ObjectEntry e, Decode(kv->second));
    out.emplace_back(core::ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(kv->first.data())),
                     e);
    TALARIA_ASSIGN_OR_RETURN(kv, cursor.Next());
  }
  return out;
}

}  // namespace talaria::index
