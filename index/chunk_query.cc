#include "index/chunk_query.h"

#include <algorithm>

namespace talaria::index {

using core::ObjectId;

core::Result<std::vector<ChunkHit>> RunChunkQuery(const Txn& txn, const ChunkTable& chunks,
                                                  const ObjectTable& objects, const ChunkQuery& q) {
  std::vector<ChunkHit> hits;
  auto consider = [&](const ObjectId& id, const ChunkMeta& meta) -> core::Status {
    if (q.min_bytes && meta.raw_bytes < *q.min_bytes) return core::OkStatus();
    if (q.max_bytes && meta.raw_bytes > *q.max_bytes) return core::OkStatus();
    TALARIA_ASSIGN_OR_RETURN(auto entry, objects.Get(txn, id));
    if (!entry) return core::OkStatus();  // removed by gc
    bool delta = entry->is_delta();
    if (q.has_reference && *q.has_reference != delta) return core::OkStatus();
    hits.push_back(ChunkHit{id, meta, entry->stored_len, entry->base});
    return core::OkStatus();
  };
  if (q.taxa.empty()) {
    TALARIA_RETURN_IF_ERROR(chunks.ForEach(txn, consider));
  } else {
    TALARIA_ASSIGN_OR_RETURN(auto ids, chunks.FindByTaxa(txn, q.taxa));
    ids.insert(ids.end(), q.also.begin(), q.also.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const ObjectId& id : ids) {
      TALARIA_ASSIGN_OR_RETURN(auto meta, chunks.Get(txn, id));
      if (meta) TALARIA_RETURN_IF_ERROR(consider(id, *meta));
    }
  }
  if (q.order_by_access) {
    std::stable_sort(hits.begin(), hits.end(), [](const ChunkHit& a, const ChunkHit& b) {
      return std::tie(b.meta.access_count, b.meta.last_access_unix_s) <
             std::tie(a.meta.access_count, a.meta.last_access_unix_s);
    });
  }
  if (q.limit && hits.size() > q.limit) hits.resize(q.limit);
  return hits;
}

}  // namespace talaria::index
