#include "store/object/pack_usage.h"

#include <sys/stat.h>

#include "index/index.h"

namespace talaria::store {

core::Result<PackUsage> ComputePackUsage(ObjectStore& store) {
  PackUsage u;
  TALARIA_ASSIGN_OR_RETURN(index::ReadTxn txn, store.index().BeginRead());
  TALARIA_RETURN_IF_ERROR(store.index().packs().ForEach(
      txn, [&](uint64_t pack, const index::PackEntry&) -> core::Status {
        u.packs++;
        struct stat st;
        if (::stat(store.paths().pack_file(pack).c_str(), &st) == 0) {
          u.bytes += static_cast<uint64_t>(st.st_size);
        }
        return core::OkStatus();
      }));
  return u;
}

}  // namespace talaria::store
