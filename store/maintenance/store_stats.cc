#include "store/maintenance/store_stats.h"

#include <sys/stat.h>

#include "index/index.h"
#include "store/catalog/database_catalog.h"
#include "store/pack/codec.h"

namespace talaria::store {

core::Result<StoreStats> ComputeStats(ObjectStore& store) {
  StoreStats s;
  TALARIA_ASSIGN_OR_RETURN(PackUsage packs, ComputePackUsage(store));
  s.packs = packs.packs;
  s.pack_bytes = packs.bytes;
  std::vector<index::DatabaseVersion> versions;
  {
    TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
    TALARIA_ASSIGN_OR_RETURN(versions, store.index().databases().List(txn));
    TALARIA_RETURN_IF_ERROR(store.index().objects().ForEach(
        txn, [&](const core::ObjectId&, const index::ObjectEntry& e) -> core::Status {
          s.objects++;
          s.raw_bytes += e.raw_len;
          s.stored_bytes += e.stored_len;
          s.record_bytes += e.record_len;
          if (e.is_delta()) s.delta_objects++;
          if (e.kind == static_cast<uint8_t>(ObjectKind::kChunk)) {
            s.chunks++;
            s.chunk_bytes += e.raw_len;
          }
          s.objects_by_kind[std::string(ObjectKindName(static_cast<ObjectKind>(e.kind)))]++;
          std::string codec(CodecTypeName(static_cast<CodecType>(e.codec)));
          if (e.is_delta()) codec += "-delta";
          if (e.dictionary) codec += "-dict";
          s.objects_by_codec[codec]++;
          return core::OkStatus();
        }));
  }  // the read transaction ends before manifests are read from the packs
  uint64_t used = s.record_bytes + s.packs * kPackHeaderSize;
  s.garbage_bytes = s.pack_bytes > used ? s.pack_bytes - used : 0;
  s.cache = store.cache().stats();
  for (const auto& v : versions) {
    TALARIA_ASSIGN_OR_RETURN(DatabaseManifest m, LoadManifest(store, v.manifest));
    s.versions++;
    for (const ManifestChunk& c : m.chunks) s.referenced_chunk_bytes += c.bytes;
  }
  return s;
}

}  // namespace talaria::store
