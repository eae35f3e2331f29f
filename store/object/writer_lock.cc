#include "store/object/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <spdlog/spdlog.h>

#include "store/core/file_io.h"

namespace talaria::store {

core::Result<WriterLock> WriterLock::Acquire(const std::string& path, bool wait) {
  TALARIA_ASSIGN_OR_RETURN(core::UniqueFd fd, core::OpenFile(path, O_RDWR | O_CREAT));
  TALARIA_ASSIGN_OR_RETURN(bool held, core::LockExclusive(fd.get(), /*wait=*/false, path));
  if (held) return WriterLock(std::move(fd));
  if (!wait) return core::Busy("another process is writing this store (" + path + " is locked)");
  spdlog::info("waiting for another process writing this store to finish ({})", path);
  TALARIA_RETURN_IF_ERROR(core::LockExclusive(fd.get(), /*wait=*/true, path));
  return WriterLock(std::move(fd));
}

}  // namespace talaria::store
