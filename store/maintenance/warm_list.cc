#include "store/maintenance/warm_list.h"

#include "store/core/file_io.h"
#include "store/core/id_list.h"

namespace talaria::store {

using core::ObjectId;

core::Status WriteWarmList(const StorePaths& paths, const std::vector<ObjectId>& ids,
                           const std::string& comment) {
  if (ids.empty()) return core::RemoveFile(paths.warm_list());
  return core::WriteFileAtomic(paths.warm_list(), "# " + comment + "\n" + core::IdListText(ids));
}

core::Result<std::vector<ObjectId>> ReadWarmList(const StorePaths& paths) {
  auto ids = core::ReadIdList(paths.warm_list());
  if (!ids && ids.error().code() == core::Code::kNotFound) return std::vector<ObjectId>();
  return ids;
}

}  // namespace talaria::store
