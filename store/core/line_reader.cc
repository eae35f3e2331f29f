#include "store/core/line_reader.h"

#include <fcntl.h>

#include "store/core/file_io.h"

namespace talaria::core {

namespace {

std::string_view WithoutCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Status ForEachLine(const ReadFn& read, const LineFn& fn) {
  std::string buf(size_t{1} << 20, '\0');
  std::string carry;  // the start of a line that goes on in the next block
  uint64_t number = 0;
  for (;;) {
    TALARIA_ASSIGN_OR_RETURN(size_t n, read(buf.data(), buf.size()));
    if (n == 0) break;
    std::string_view block(buf.data(), n);
    size_t pos = 0;
    for (size_t nl; (nl = block.find('\n', pos)) != std::string_view::npos; pos = nl + 1) {
      std::string_view line = block.substr(pos, nl - pos);
      if (!carry.empty()) {
        carry.append(line);
        line = carry;
      }
      TALARIA_RETURN_IF_ERROR(fn(WithoutCr(line), ++number));
      carry.clear();
    }
    carry.append(block.substr(pos));
  }
  if (!carry.empty()) TALARIA_RETURN_IF_ERROR(fn(WithoutCr(carry), ++number));
  return OkStatus();
}

Status ForEachLineOfFile(const std::string& path, const LineFn& fn) {
  TALARIA_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  return ForEachLine([&](char* buf, size_t n) { return ReadSome(fd.get(), buf, n, path); }, fn);
}

}  // namespace talaria::core
