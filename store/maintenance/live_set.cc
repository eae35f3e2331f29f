#include "store/maintenance/live_set.h"

namespace talaria::store {

std::set<core::ObjectId> WithDeltaBases(const std::map<core::ObjectId, ObjectInfo>& objects,
                                        std::vector<core::ObjectId> roots) {
  std::set<core::ObjectId> out;
  while (!roots.empty()) {
    core::ObjectId id = roots.back();
    roots.pop_back();
    if (!out.insert(id).second) continue;
    auto it = objects.find(id);
    if (it != objects.end() && !it->second.entry.base.IsZero())
      roots.push_back(it->second.entry.base);
  }
  return out;
}

}  // namespace talaria::store
