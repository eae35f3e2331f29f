#pragma once

// How much disk the packs take. Thread-safe.

#include <cstdint>

#include "store/core/status.h"
#include "store/object/object_store.h"

namespace talaria::store {

// The number of packs and their size on disk, without walking the objects.
struct PackUsage {
  uint64_t packs = 0;
  uint64_t bytes = 0;
};
core::Result<PackUsage> ComputePackUsage(ObjectStore& store);

}  // namespace talaria::store
