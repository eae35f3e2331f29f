#include "fs/errno_map.h"

#include <cerrno>

namespace talaria::fs {

int ToErrno(const core::Error& error) {
  switch (error.code()) {
    case core::Code::kNotFound:
      return ENOENT;
    case core::Code::kCorruption:
    case core::Code::kParse:
      return EIO;
    case core::Code::kIoError:
      return error.sys_errno() > 0 ? error.sys_errno() : EIO;
    case core::Code::kNoSpace:
      return ENOSPC;
    case core::Code::kInvalidArgument:
      return EINVAL;
    case core::Code::kUnsupported:
      return ENOTSUP;
    case core::Code::kBusy:
      return EBUSY;
  }
  return EIO;
}

}  // namespace talaria::fs
