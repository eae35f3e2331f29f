#pragma once

// POSIX file helpers. This is the one place where errno becomes a Status
// (through core::ErrnoError); every message names the path it concerns.
// All functions are thread-safe (they share no state).

#include <sys/statvfs.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// read(2) of up to `len` bytes at the fd's position, retrying EINTR; 0 at
// the end of the file.
Result<size_t> ReadSome(int fd, char* out, size_t len, std::string_view context);
// lseek(2) to an absolute offset.
Status SeekTo(int fd, uint64_t offset, std::string_view context);
// dup(2), e.g. of standard input.
Result<UniqueFd> Duplicate(int fd, std::string_view context);
// flock(2) LOCK_EX on the fd: true once held; false if another process holds
// it and `wait` is false (with `wait`, blocks until it is free).
Result<bool> LockExclusive(int fd, bool wait, std::string_view context);
// unlink(2); a file that is not there is fine.
Status RemoveFile(const std::string& path);
// rm -r; a path that is not there is fine.
Status RemoveTree(const std::string& path);
// rename(2).
Status Rename(const std::string& from, const std::string& to);
// The names in a directory (not "." or ".."). kNotFound if it does not exist.
Result<std::vector<std::string>> ListDirectory(const std::string& dir);
// statvfs(2) of the file system holding `path`.
Result<struct statvfs> FileSystemStats(const std::string& path);
bool IsDirectory(const std::string& path);

}  // namespace talaria::core
