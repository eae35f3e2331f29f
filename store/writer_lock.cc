#include "store/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "store/core/file_io.h"

namespace talaria::store {

core::Result<WriterLock> WriterLock::Acquire(const std::string& path, bool wait) {
  TALARIA_ASSIGN_OR_RETURN(core::UniqueFd fd, core::OpenFile(path, O_RDWR | O_CREAT));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return WriterLock(std::move(fd));
  if (errno != EWOULDBLOCK) return core::ErrnoError("lock " + path, errno);
  if (!wait) return core::Busy("another process is writing this store (" + path + " is locked)");
  spdlog::info("waiting for another process writing this store to finish ({})", path);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return core::ErrnoError("lock " + path, errno);
  }
  return WriterLock(std::move(fd));
}

}  // namespace talaria::store
