#pragma once

// Every path inside a store directory, spelled once:
//   <root>/storage.toml                  configuration
//   <root>/index/                        the LMDB environment
//   <root>/packs/<nn>/<16 hex>.pack      pack files; nn = low byte of the pack number
//   <root>/writer.lock                   flock(2) held by the one writing process
//   <root>/access/<pid>-<n>.counts       chunk reads a talariafs daemon counted
//   <root>/warm.list                     objects talariafs preloads (optimize Caching)
// Thread-safe (immutable).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace talaria::store {

class StorePaths {
 public:
  explicit StorePaths(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string config_file() const { return root_ + "/storage.toml"; }
  std::string index_dir() const { return root_ + "/index"; }
  std::string packs_dir() const { return root_ + "/packs"; }
  std::string writer_lock() const { return root_ + "/writer.lock"; }
  std::string access_dir() const { return root_ + "/access"; }
  std::string warm_list() const { return root_ + "/warm.list"; }
  std::string pack_dir(uint64_t pack) const;
  std::string pack_file(uint64_t pack) const;

  // Every pack file present on disk, by pack number (whatever the index says).
  std::map<uint64_t, std::string> ListPackFiles() const;

  // The pack number of a file named like pack_file()'s, or nullopt.
  static std::optional<uint64_t> ParsePackFileName(const std::string& file_name);

 private:
  std::string root_;
};

}  // namespace talaria::store
