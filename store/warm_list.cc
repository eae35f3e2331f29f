#include "store/warm_list.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "store/core/file_io.h"

namespace talaria::store {

using core::ObjectId;

core::Status WriteWarmList(const StorePaths& paths, const std::vector<ObjectId>& ids,
                           const std::string& comment) {
  if (ids.empty()) {
    if (::unlink(paths.warm_list().c_str()) != 0 && errno != ENOENT)
      return core::ErrnoError("remove " + paths.warm_list(), errno);
    return core::OkStatus();
  }
  std::string text = "# " + comment + "\n";
  for (const ObjectId& id : ids) text += id.Hex() + "\n";
  return core::WriteFileAtomic(paths.warm_list(), text);
}

core::Result<std::vector<ObjectId>> ReadWarmList(const StorePaths& paths) {
  std::vector<ObjectId> ids;
  std::ifstream in(paths.warm_list());
  if (!in) {
    if (errno == ENOENT) return ids;
    return core::ErrnoError("open " + paths.warm_list(), errno);
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto last = line.find_last_not_of(" \t\r");
    auto id = ObjectId::Parse(line.substr(first, last + 1 - first));
    if (!id) {
      return core::ParseError(paths.warm_list() + ":" + std::to_string(n) + ": " +
                              id.error().message());
    }
    ids.push_back(*id);
  }
  return ids;
}

}  // namespace talaria::store
