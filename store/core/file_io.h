#pragma once

// POSIX file helpers. This is the one place where errno becomes a Status
// (through core::ErrnoError); every message names the path it concerns.
// All functions are thread-safe (they share no state).

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "store/core/status.h"
#include "store/core/unique_fd.h"

namespace talaria::core {

// open(2); O_CLOEXEC is always added.
Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode = 0644);

// Writes all of `data` at the fd's position, retrying short writes and EINTR.
Status WriteAll(int fd, std::string_view data, std::string_view context);

// Reads exactly `len` bytes at `offset`. A file that ends early is
// kCorruption ("short read"): callers only ask for bytes that should exist.
Result<std::string> PreadExact(int fd, uint64_t offset, size_t len, std::string_view context);

// Same, into caller memory.
Status PreadInto(int fd, uint64_t offset, char* out, size_t len, std::string_view context);

// The whole file.
Result<std::string> ReadFile(const std::string& path);

// Writes `data` to a temporary sibling, fsyncs it, renames it over `path`
// and fsyncs the directory: readers see the old file or the new, never part.
Status WriteFileAtomic(const std::string& path, std::string_view data);

Status Fsync(int fd, std::string_view context);
Status FsyncDir(const std::string& dir);
Status Truncate(int fd, uint64_t length, std::string_view context);
Result<uint64_t> FileSize(int fd, std::string_view context);

// mkdir -p; existing directories are fine.
Status MakeDirs(const std::string& path);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);

}  // namespace talaria::core
