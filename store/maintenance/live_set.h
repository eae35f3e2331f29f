#pragma once

// The objects some roots need: the roots and, transitively, the delta bases
// they are stored against (what analyze and optimize count as live; gc's
// own marking also reports missing roots). Thread-safe (a pure function).

#include <map>
#include <set>
#include <vector>

#include "store/core/object_id.h"
#include "store/object/object_store.h"

namespace talaria::store {

// `objects` maps every stored object to what the index says of it; roots
// not in it are kept in the result (they have no bases to follow).
std::set<core::ObjectId> WithDeltaBases(const std::map<core::ObjectId, ObjectInfo>& objects,
                                        std::vector<core::ObjectId> roots);

}  // namespace talaria::store
