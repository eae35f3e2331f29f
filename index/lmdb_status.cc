#include "index/lmdb_status.h"

#include <lmdb.h>

#include <string>

namespace talaria::index {

tl::unexpected<core::Error> LmdbError(std::string_view context, int rc) {
  if (rc > 0) return core::ErrnoError(context, rc);
  std::string m(context);
  m += ": ";
  m += mdb_strerror(rc);
  core::Code code = core::Code::kIoError;
  switch (rc) {
    case MDB_NOTFOUND:
      code = core::Code::kNotFound;
      break;
    case MDB_MAP_FULL:
      code = core::Code::kNoSpace;
      break;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
      code = core::Code::kCorruption;
      break;
    case MDB_VERSION_MISMATCH:
      code = core::Code::kUnsupported;
      break;
    case MDB_READERS_FULL:
      code = core::Code::kBusy;
      break;
    default:
      break;
  }
  return core::MakeError(code, std::move(m), rc);
}

bool IsMapFull(const core::Error& e) {
  return e.code() == core::Code::kNoSpace && e.sys_errno() == MDB_MAP_FULL;
}

}  // namespace talaria::index
