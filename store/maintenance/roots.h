#pragma once

// The roots of the store: what gc keeps, verify checks and optimize counts as
// live. Thread-safe (reads a snapshot of the index).

#include <vector>

#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/object/object_store.h"

namespace talaria::store {

// Every object that registered database versions and reduction profiles
// need: manifests, layouts, chunks, record indexes, delta chunks, and the
// catalogue snapshot (delta bases are added by gc's own marking).
core::Result<std::vector<core::ObjectId>> DatabaseRoots(ObjectStore& store);

}  // namespace talaria::store
