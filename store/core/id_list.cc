#include "store/core/id_list.h"

#include "store/core/line_reader.h"

namespace talaria::core {

namespace {

std::string_view FirstField(std::string_view s) {
  constexpr std::string_view kBlanks = " \t\r\v\f";
  const size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  s.remove_prefix(b);
  return s.substr(0, s.find_first_of(kBlanks));
}

}  // namespace

Result<std::vector<ObjectId>> ReadIdList(const std::string& path) {
  std::vector<ObjectId> ids;
  TALARIA_RETURN_IF_ERROR(
      ForEachLineOfFile(path, [&](std::string_view raw, uint64_t number) -> Status {
        const std::string_view line = FirstField(raw);
        if (line.empty() || line.front() == '#') return OkStatus();
        auto id = ObjectId::Parse(line);
        if (!id) {
          return ParseError(path + ":" + std::to_string(number) + ": '" + std::string(line) +
                            "' is not an object id (64 hex digits)");
        }
        ids.push_back(*id);
        return OkStatus();
      }));
  return ids;
}

std::string IdListText(const std::vector<ObjectId>& ids) {
  std::string text;
  text.reserve(ids.size() * 65);
  for (const ObjectId& id : ids) {
    text += id.Hex();
    text += '\n';
  }
  return text;
}

}  // namespace talaria::core
