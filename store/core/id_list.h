#pragma once

// Lists of object ids in a text file, one per line (gc --keep-file, the warm
// list): the one parser of them. A line's first field (up to a blank) is its
// id, 64 hex digits; what follows it is a note and ignored, as are blank lines
// and lines whose first field starts with '#'.
// Thread-safe (no state).

#include <string>
#include <vector>

#include "store/core/object_id.h"
#include "store/core/status.h"

namespace talaria::core {

// The ids in file order. kNotFound if the file does not exist; kParse
// ("file:line: ...") for a line that is not an id.
Result<std::vector<ObjectId>> ReadIdList(const std::string& path);

// The text of such a file: one lowercase hex id per line.
std::string IdListText(const std::vector<ObjectId>& ids);

}  // namespace talaria::core
