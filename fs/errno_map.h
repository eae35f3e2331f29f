#pragma once

// The one place a Status becomes the errno a FUSE reply carries.
// Thread-safe (pure).

#include "store/core/status.h"

namespace talaria::fs {

// A positive errno: kNotFound -> ENOENT, kCorruption and kParse -> EIO,
// kIoError -> its saved errno (EIO if none), kNoSpace -> ENOSPC,
// kInvalidArgument -> EINVAL, kUnsupported -> ENOTSUP, kBusy -> EBUSY.
int ToErrno(const core::Error& error);

}  // namespace talaria::fs
