#include "index/chunk_table.h"

#include <lmdb.h>

#include <algorithm>

#include "index/lmdb_status.h"
#include "store/core/coding.h"

namespace talaria::index {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

constexpr size_t kMetaSize = 44;

std::string TaxonKey(uint32_t taxon) { return core::BigEndian32Key(taxon); }

// taxon_chunks values: the first bytes of a chunk id (docs/FORMAT.md §5.6);
// stores written before hold whole ids, which are read as they are.
constexpr size_t kTaxonValueSize = 8;
std::string_view TaxonValue(const ObjectId& id) { return id.view().substr(0, kTaxonValueSize); }

std::string Encode(const ChunkMeta& m) {
  std::string v;
  core::PutFixed32(&v, m.taxon);
  core::PutFixed64(&v, m.records);
  core::PutFixed64(&v, m.residues);
  core::PutFixed64(&v, m.raw_bytes);
  core::PutFixed64(&v, m.access_count);
  core::PutFixed64(&v, m.last_access_unix_s);
  return v;
}

Result<ChunkMeta> Decode(std::string_view v) {
  if (v.size() != kMetaSize) return core::Corruption("malformed chunk metadata");
  const char* p = v.data();
  return ChunkMeta{core::DecodeFixed32(p),      core::DecodeFixed64(p + 4),
                   core::DecodeFixed64(p + 12), core::DecodeFixed64(p + 20),
                   core::DecodeFixed64(p + 28), core::DecodeFixed64(p + 36)};
}

}  // namespace

Status ChunkTable::Add(WriteTxn& txn, const ObjectId& id, const ChunkMeta& meta) const {
  TALARIA_ASSIGN_OR_RETURN(auto old, Get(txn, id));
  ChunkMeta m = meta;
  if (old) {
    m.access_count = old->access_count;
    m.last_access_unix_s = old->last_access_unix_s;
    if (old->taxon != m.taxon) TALARIA_RETURN_IF_ERROR(RemoveTaxonEntry(txn, old->taxon, id));
  }
  TALARIA_RETURN_IF_ERROR(txn.Put(chunks_, id.view(), Encode(m)));
  return txn.Put(taxon_chunks_, TaxonKey(m.taxon), TaxonValue(id));  // dupsort: no duplicates kept
}

Status ChunkTable::Remove(WriteTxn& txn, const ObjectId& id) const {
  TALARIA_ASSIGN_OR_RETURN(auto old, Get(txn, id));
  if (!old) return core::OkStatus();
  TALARIA_RETURN_IF_ERROR(txn.Delete(chunks_, id.view()));
  return RemoveTaxonEntry(txn, old->taxon, id);
}

Status ChunkTable::RemoveTaxonEntry(WriteTxn& txn, uint32_t taxon, const ObjectId& id) const {
  std::string key = TaxonKey(taxon);
  for (std::string_view value : {TaxonValue(id), id.view()}) {
    MDB_val k = ToVal(key), v = ToVal(value);
    int rc = mdb_del(txn.raw(), taxon_chunks_, &k, &v);
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("remove chunk from taxon index", rc);
  }
  return core::OkStatus();
}

Result<std::optional<ChunkMeta>> ChunkTable::Get(const Txn& txn, const ObjectId& id) const {
  TALARIA_ASSIGN_OR_RETURN(auto v, txn.Get(chunks_, id.view()));
  if (!v) return std::optional<ChunkMeta>();
  TALARIA_ASSIGN_OR_RETURN(ChunkMeta m, Decode(*v));
  return std::optional<ChunkMeta>(m);
}

Result<std::vector<ObjectId>> ChunkTable::FindByTaxon(const Txn& txn, uint32_t taxon) const {
  std::vector<ObjectId> out;
  std::vector<std::string> prefixes;
  TALARIA_RETURN_IF_ERROR(txn.ForEachWithPrefix(
      taxon_chunks_, TaxonKey(taxon), [&](std::string_view, std::string_view v) -> Status {
        if (v.size() == ObjectId::kSize) {
          out.push_back(ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(v.data())));
        } else if (v.size() == kTaxonValueSize) {
          prefixes.emplace_back(v);
        } else {
          return core::Corruption("malformed taxon index");
        }
        return core::OkStatus();
      }));
  // A prefix names the chunks whose ids start with it: one, but for a
  // collision of 64 bits.
  for (const std::string& prefix : prefixes) {
    TALARIA_RETURN_IF_ERROR(
        txn.ForEachWithPrefix(chunks_, prefix, [&](std::string_view k, std::string_view) -> Status {
          if (k.size() != ObjectId::kSize) return core::Corruption("malformed chunk key");
          out.push_back(ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(k.data())));
          return core::OkStatus();
        }));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<ObjectId>> ChunkTable::FindByTaxa(const Txn& txn,
                                                     const std::vector<uint32_t>& taxa) const {
  std::vector<ObjectId> out;
  for (uint32_t t : taxa) {
    TALARIA_ASSIGN_OR_RETURN(auto ids, FindByTaxon(txn, t));
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

Status ChunkTable::ForEach(
    const Txn& txn, const std::function<Status(const ObjectId&, const ChunkMeta&)>& fn) const {
  return txn.ForEach(chunks_, [&](std::string_view k, std::string_view v) -> Status {
    if (k.size() != ObjectId::kSize) return core::Corruption("malformed chunk key");
    TALARIA_ASSIGN_OR_RETURN(ChunkMeta m, Decode(v));
    return fn(ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(k.data())), m);
  });
}

Status ChunkTable::RecordAccess(WriteTxn& txn, const ObjectId& id, uint64_t now_unix_s,
                                uint64_t count) const {
  TALARIA_ASSIGN_OR_RETURN(auto m, Get(txn, id));
  if (!m) return core::NotFound("chunk " + id.Hex() + " is not indexed");
  m->access_count += count;
  m->last_access_unix_s = now_unix_s;
  return txn.Put(chunks_, id.view(), Encode(*m));
}

}  // namespace talaria::index
