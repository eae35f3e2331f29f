#include "store/core/status.h"

#include <cerrno>
#include <cstring>

namespace talaria::core {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kNotFound:
      return "not_found";
    case Code::kCorruption:
      return "corruption";
    case Code::kIoError:
      return "io_error";
    case Code::kNoSpace:
      return "no_space";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kParse:
      return "parse_error";
    case Code::kUnsupported:
      return "unsupported";
    case Code::kBusy:
      return "busy";
  }
  return "unknown";
}

Error Error::WithContext(std::string_view context) const {
  std::string m(context);
  m += ": ";
  m += message_;
  return Error(code_, std::move(m), errno_);
}

std::string Error::ToString() const {
  std::string s(CodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

tl::unexpected<Error> ErrnoError(std::string_view context, int err) {
  std::string m(context);
  m += ": ";
  m += std::strerror(err);
  Code code = Code::kIoError;
  if (err == ENOENT) code = Code::kNotFound;
  if (err == ENOSPC || err == EDQUOT) code = Code::kNoSpace;
  return MakeError(code, std::move(m), err);
}

}  // namespace talaria::core
