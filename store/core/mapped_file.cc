#include "store/core/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>

#include <utility>

#include "store/core/file_io.h"

namespace talaria::core {

Result<MappedFile> MappedFile::Open(const std::string& path) {
  TALARIA_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  TALARIA_ASSIGN_OR_RETURN(uint64_t size, FileSize(fd.get(), path));
  MappedFile m;
  if (size == 0) return m;
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (addr == MAP_FAILED) return ErrnoError("mmap " + path, errno);
  ::madvise(addr, size, MADV_SEQUENTIAL);
  m.addr_ = addr;
  m.size_ = size;
  return m;
}

MappedFile::~MappedFile() {
  if (addr_) ::munmap(addr_, size_);
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)), size_(std::exchange(o.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (addr_) ::munmap(addr_, size_);
    addr_ = std::exchange(o.addr_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

}  // namespace talaria::core
