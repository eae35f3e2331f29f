#include "store/core/file_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace talaria::core {

namespace {
std::string Ctx(std::string_view what, std::string_view path) {
  std::string s(what);
  s += ' ';
  s += path;
  return s;
}
}  // namespace

Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoError(Ctx("open", path), errno);
  return UniqueFd(fd);
}

Status WriteAll(int fd, std::string_view data, std::string_view context) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(Ctx("write", context), errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return OkStatus();
}

Status PreadInto(int fd, uint64_t offset, char* out, size_t len, std::string_view context) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, out + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(Ctx("read", context), errno);
    }
    if (n == 0) {
      return Corruption(Ctx("short read of", context) + ": wanted " + std::to_string(len) +
                        " bytes at offset " + std::to_string(offset) + ", file ends after " +
                        std::to_string(done));
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Result<std::string> PreadExact(int fd, uint64_t offset, size_t len, std::string_view context) {
  std::string out(len, '\0');
  TALARIA_RETURN_IF_ERROR(PreadInto(fd, offset, out.data(), len, context));
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  TALARIA_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  TALARIA_ASSIGN_OR_RETURN(uint64_t size_hint, FileSize(fd.get(), path));
  // Read to end of file: pipes and /proc files report no useful size.
  std::string out;
  out.resize(std::max<uint64_t>(size_hint + 1, 64 * 1024));
  size_t len = 0;
  for (;;) {
    if (len == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd.get(), out.data() + len, out.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(Ctx("read", path), errno);
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  out.resize(len);
  return out;
}

Status Fsync(int fd, std::string_view context) {
  if (::fsync(fd) != 0) return ErrnoError(Ctx("fsync", context), errno);
  return OkStatus();
}

Status FsyncDir(const std::string& dir) {
  TALARIA_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(dir, O_RDONLY | O_DIRECTORY));
  return Fsync(fd.get(), dir);
}

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  std::filesystem::path p(path);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    TALARIA_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC));
    Status st = WriteAll(fd.get(), data, tmp);
    if (st) st = Fsync(fd.get(), tmp);
    if (!st) {
      ::unlink(tmp.c_str());
      return st;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError(Ctx("rename into", path), err);
  }
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  return FsyncDir(dir);
}

Status Truncate(int fd, uint64_t length, std::string_view context) {
  if (::ftruncate(fd, static_cast<off_t>(length)) != 0) {
    return ErrnoError(Ctx("truncate", context), errno);
  }
  return OkStatus();
}

Result<uint64_t> FileSize(int fd, std::string_view context) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(Ctx("stat", context), errno);
  return static_cast<uint64_t>(st.st_size);
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return ErrnoError(Ctx("mkdir", path), ec.value());
  return OkStatus();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<size_t> ReadSome(int fd, char* out, size_t len, std::string_view context) {
  for (;;) {
    const ssize_t n = ::read(fd, out, len);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return ErrnoError(Ctx("read", context), errno);
  }
}

Status SeekTo(int fd, uint64_t offset, std::string_view context) {
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return ErrnoError(Ctx("seek", context), errno);
  }
  return OkStatus();
}

Result<UniqueFd> Duplicate(int fd, std::string_view context) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return ErrnoError(Ctx("duplicate", context), errno);
  return UniqueFd(copy);
}

Result<bool> LockExclusive(int fd, bool wait, std::string_view context) {
  for (;;) {
    if (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && !wait) return false;
    return ErrnoError(Ctx("lock", context), errno);
  }
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(Ctx("remove", path), errno);
  return OkStatus();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return ErrnoError(Ctx("remove", path), ec.value());
  return OkStatus();
}

Status Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError("rename " + from + " to " + to, errno);
  }
  return OkStatus();
}

Result<struct statvfs> FileSystemStats(const std::string& path) {
  struct statvfs sv {};
  if (::statvfs(path.c_str(), &sv) != 0) return ErrnoError(Ctx("statvfs", path), errno);
  return sv;
}

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec), end;
  std::vector<std::string> names;
  for (; !ec && it != end; it.increment(ec)) names.push_back(it->path().filename().string());
  if (ec) return ErrnoError(Ctx("list", dir), ec.value());
  return names;
}

}  // namespace talaria::core
