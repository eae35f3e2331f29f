#pragma once

// The one converter from an LMDB return code to a talaria Error:
// MDB_NOTFOUND -> kNotFound, MDB_MAP_FULL -> kNoSpace (sys_errno() keeps
// MDB_MAP_FULL so the writer can grow the map and retry),
// MDB_CORRUPTED / MDB_PAGE_NOTFOUND / MDB_INVALID -> kCorruption,
// MDB_VERSION_MISMATCH -> kUnsupported, MDB_READERS_FULL -> kBusy,
// positive codes -> core::ErrnoError. Thread-safe.

#include <string_view>

#include "store/core/status.h"

namespace talaria::index {

tl::unexpected<core::Error> LmdbError(std::string_view context, int rc);

// True for the error LmdbError makes of MDB_MAP_FULL.
bool IsMapFull(const core::Error& e);

}  // namespace talaria::index
