#include "store/core/store_paths.h"

#include <cstdio>

#include "store/core/file_io.h"
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

namespace {
constexpr std::string_view kAccessSuffix = ".counts";
}  // namespace

std::string StorePaths::access_file(uint64_t pid, uint64_t n) const {
  return access_dir() + "/" + std::to_string(pid) + "-" + std::to_string(n) +
         std::string(kAccessSuffix);
}

bool StorePaths::IsAccessFileName(std::string_view file_name) {
  return file_name.size() > kAccessSuffix.size() && file_name.ends_with(kAccessSuffix);
}

std::string StorePaths::taxmap_scratch(uint64_t pid) const {
  return tmp_dir() + "/taxmap-" + std::to_string(pid);
}

std::map<uint64_t, std::string> StorePaths::ListPackFiles() const {
  std::map<uint64_t, std::string> packs;
  auto subdirs = core::ListDirectory(packs_dir());
  if (!subdirs) return packs;
  for (const std::string& sub : *subdirs) {
    auto names = core::ListDirectory(packs_dir() + "/" + sub);
    if (!names) continue;  // not a directory, or gone
    for (const std::string& name : *names) {
      if (auto n = ParsePackFileName(name)) packs[*n] = packs_dir() + "/" + sub + "/" + name;
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
