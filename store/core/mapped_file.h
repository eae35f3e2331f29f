#pragma once

// A read-only memory map of a whole file, unmapped on destruction.
// Move-only; thread-compatible (the mapping itself is immutable).

#include <cstddef>
#include <string>
#include <string_view>

#include "store/core/status.h"

namespace talaria::core {

class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace talaria::core
