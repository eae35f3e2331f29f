#include "store/maintenance/access_fold.h"

#include <chrono>

#include "index/index.h"
#include "store/core/file_io.h"
#include "store/object/access_log.h"

namespace talaria::store {

using core::Result;
using core::Status;

Result<uint64_t> FoldAccessLogs(WritableStore& store) {
  TALARIA_ASSIGN_OR_RETURN(PendingCounts pending, ReadPendingAccess(store.paths()));
  if (pending.files.empty()) return uint64_t{0};
  const AccessCounts& counts = pending.counts;
  const uint64_t now =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  uint64_t folded = 0;
  TALARIA_RETURN_IF_ERROR(store.index().Update([&](index::WriteTxn& txn) -> Status {
    folded = 0;
    for (const auto& [id, count] : counts) {
      TALARIA_ASSIGN_OR_RETURN(auto meta, store.index().chunks().Get(txn, id));
      if (!meta) continue;  // not a chunk (a manifest, a layout, a record index)
      TALARIA_RETURN_IF_ERROR(store.index().chunks().RecordAccess(txn, id, now, count));
      folded += count;
    }
    return core::OkStatus();
  }));
  // Only the files read above: a daemon may have written more since.
  for (const std::string& f : pending.files) TALARIA_RETURN_IF_ERROR(core::RemoveFile(f));
  return folded;
}

}  // namespace talaria::store
