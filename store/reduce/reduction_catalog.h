#pragma once

// Registering a reduction profile in the catalogue, as reducing and
// importing both end. Internal to store/reduce.

#include <string>

#include "index/entries.h"
#include "store/core/status.h"
#include "store/object/writable_store.h"
#include "store/reduce/reduction.h"

namespace talaria::store {

// kInvalidArgument: the profile already holds another reduction (the
// message says to remove it first).
tl::unexpected<core::Error> AnotherReductionError(const std::string& profile);

// Registers the profile with a new catalogue snapshot, in one commit.
// Thread-compatible: the snapshot is made from the profiles read before that
// commit, so concurrent registrations need the caller's lock.
core::Status Register(WritableStore& store, const std::string& profile,
                      const index::ReductionEntry& entry, const ProfileIds& ids);

}  // namespace talaria::store
