#pragma once

// Folding the daemon's read counts (store/object/access_log.h) into the chunk
// table, for optimize and analyze. A crash between
// the index commit and removing the files counts those reads twice: they are
// a hint. Thread-compatible (the store's writer).

#include <cstdint>

#include "store/core/status.h"
#include "store/object/writable_store.h"

namespace talaria::store {

// Adds the pending counts of ids that are chunks to the chunk table and
// removes the files read. Returns the reads folded.
core::Result<uint64_t> FoldAccessLogs(WritableStore& store);

}  // namespace talaria::store
