#include "store/store_paths.h"

#include <cstdio>
#include <filesystem>

#include "store/core/hex.h"

namespace talaria::store {

std::string StorePaths::pack_dir(uint64_t pack) const {
  char nn[3];
  std::snprintf(nn, sizeof nn, "%02x", static_cast<unsigned>(pack & 0xff));
  return packs_dir() + "/" + nn;
}

std::string StorePaths::pack_file(uint64_t pack) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.pack", static_cast<unsigned long long>(pack));
  return pack_dir(pack) + "/" + name;
}

std::map<uint64_t, std::string> StorePaths::ListPackFiles() const {
  std::map<uint64_t, std::string> packs;
  std::error_code ec;
  for (const auto& sub : std::filesystem::directory_iterator(packs_dir(), ec)) {
    if (!sub.is_directory(ec)) continue;
    for (const auto& f : std::filesystem::directory_iterator(sub.path(), ec)) {
      if (auto n = ParsePackFileName(f.path().filename().string())) packs[*n] = f.path().string();
    }
  }
  return packs;
}

std::optional<uint64_t> StorePaths::ParsePackFileName(const std::string& file_name) {
  if (file_name.size() != 21 || file_name.substr(16) != ".pack") return std::nullopt;
  uint8_t bytes[8];
  if (!core::FromHex(std::string_view(file_name).substr(0, 16), bytes)) return std::nullopt;
  uint64_t n = 0;
  for (uint8_t b : bytes) n = n << 8 | b;
  return n;
}

}  // namespace talaria::store
