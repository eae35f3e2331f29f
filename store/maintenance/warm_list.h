#pragma once

// The warm list (<store>/warm.list): objects talariafs reads into its cache
// when it mounts, hottest first, so the first reads after a mount do not
// pay for decoding. Written by `optimize` (Caching) from access counts.
// Text: an id list (store/core/id_list.h), opened by a '#' comment line.

#include <vector>

#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/core/store_paths.h"

namespace talaria::store {

// Replaces the list atomically; an empty list removes the file.
core::Status WriteWarmList(const StorePaths& paths, const std::vector<core::ObjectId>& ids,
                           const std::string& comment);

// The listed ids in order; none when there is no list. kParseError names the
// line of a malformed id.
core::Result<std::vector<core::ObjectId>> ReadWarmList(const StorePaths& paths);

}  // namespace talaria::store
