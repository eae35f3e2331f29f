#include "index/reduction_table.h"

#include "store/core/coding.h"

namespace talaria::index {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

constexpr size_t kEntrySize = ObjectId::kSize + 16;
constexpr size_t kMaxIdInKey = 400;  // LMDB keys are at most 511 bytes

std::string ProfilePrefix(const std::string& profile) { return profile + '\0'; }

std::string IdKey(const std::string& profile, std::string_view id) {
  if (profile.size() + id.size() < kMaxIdInKey) return ProfilePrefix(profile) + std::string(id);
  return ProfilePrefix(profile) + "#" + ObjectId::Hash(id).Hex();
}

Result<std::vector<ObjectId>> Chunks(const Txn& txn, MDB_dbi dbi, const std::string& key) {
  std::vector<ObjectId> out;
  TALARIA_RETURN_IF_ERROR(
      txn.ForEachWithPrefix(dbi, key, [&](std::string_view k, std::string_view v) -> Status {
        if (k != key) return core::OkStatus();  // a longer id with this one as prefix
        if (v.size() != ObjectId::kSize) return core::Corruption("malformed reduction index");
        out.push_back(ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(v.data())));
        return core::OkStatus();
      }));
  return out;
}

Status DeletePrefix(WriteTxn& txn, MDB_dbi dbi, const std::string& prefix) {
  std::vector<std::string> keys;
  TALARIA_RETURN_IF_ERROR(
      txn.ForEachWithPrefix(dbi, prefix, [&](std::string_view k, std::string_view) -> Status {
        if (keys.empty() || keys.back() != k) keys.emplace_back(k);
        return core::OkStatus();
      }));
  for (const auto& k : keys) TALARIA_RETURN_IF_ERROR(txn.Delete(dbi, k));
  return core::OkStatus();
}

}  // namespace

Status ReductionTable::Put(WriteTxn& txn, const std::string& profile,
                           const ReductionEntry& e) const {
  std::string v(e.manifest.view());
  core::PutFixed64(&v, e.created_unix_s);
  core::PutFixed64(&v, e.elapsed_ms);
  return txn.Put(reductions_, profile, v);
}

Result<std::optional<ReductionEntry>> ReductionTable::Get(const Txn& txn,
                                                          const std::string& profile) const {
  TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(reductions_, profile));
  if (!v) return std::optional<ReductionEntry>();
  if (v->size() != kEntrySize) return core::Corruption("malformed reduction entry " + profile);
  ReductionEntry e;
  e.manifest = ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(v->data()));
  e.created_unix_s = core::DecodeFixed64(v->data() + ObjectId::kSize);
  e.elapsed_ms = core::DecodeFixed64(v->data() + ObjectId::kSize + 8);
  return std::optional<ReductionEntry>(e);
}

Result<std::vector<std::pair<std::string, ReductionEntry>>> ReductionTable::List(
    const Txn& txn) const {
  std::vector<std::pair<std::string, ReductionEntry>> out;
  TALARIA_RETURN_IF_ERROR(
      txn.ForEach(reductions_, [&](std::string_view k, std::string_view) -> Status {
        TALARIA_ASSIGN_OR_RETURN(auto e, Get(txn, std::string(k)));
        if (e) out.emplace_back(std::string(k), *e);
        return core::OkStatus();
      }));
  return out;
}

Status ReductionTable::Delete(WriteTxn& txn, const std::string& profile) const {
  TALARIA_RETURN_IF_ERROR(txn.Delete(reductions_, profile));
  TALARIA_RETURN_IF_ERROR(DeletePrefix(txn, child_deltas_, ProfilePrefix(profile)));
  return DeletePrefix(txn, reference_deltas_, ProfilePrefix(profile));
}

Status ReductionTable::AddChild(WriteTxn& txn, const std::string& profile,
                                std::string_view child_id, const ObjectId& delta_chunk) const {
  return txn.Put(child_deltas_, IdKey(profile, child_id), delta_chunk.view());
}

Status ReductionTable::AddReference(WriteTxn& txn, const std::string& profile,
                                    std::string_view reference_id,
                                    const ObjectId& delta_chunk) const {
  return txn.Put(reference_deltas_, IdKey(profile, reference_id), delta_chunk.view());
}

Result<std::vector<ObjectId>> ReductionTable::ChildDeltaChunks(const Txn& txn,
                                                               const std::string& profile,
                                                               std::string_view child_id) const {
  return Chunks(txn, child_deltas_, IdKey(profile, child_id));
}

Result<std::vector<ObjectId>> ReductionTable::ReferenceDeltaChunks(
    const Txn& txn, const std::string& profile, std::string_view reference_id) const {
  return Chunks(txn, reference_deltas_, IdKey(profile, reference_id));
}

}  // namespace talaria::index
