#pragma once

// Every path inside a store directory, spelled once:
//   <root>/storage.toml                  configuration
//   <root>/index/                        the LMDB environment
//   <root>/packs/<nn>/<16 hex>.pack      pack files; nn = low byte of the pack number
//   <root>/writer.lock                   flock(2) held by the one writing process
//   <root>/access/<pid>-<n>.counts       chunk reads a talariafs daemon counted
//   <root>/warm.list                     objects talariafs preloads (optimize Caching)
//   <root>/tmp/                          a writer's scratch: ingest spill files, taxmap tables
//   <root>/index.rebuild/, index.old/    the new and the old index while index rebuild swaps them
// docs/FORMAT.md §1 describes each.
// Thread-safe (immutable).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

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
  // <pid>-<n>.counts: the n-th file of counts the daemon with that pid wrote.
  std::string access_file(uint64_t pid, uint64_t n) const;
  // Whether a name in access_dir() is one of access_file()'s.
  static bool IsAccessFileName(std::string_view file_name);
  std::string tmp_dir() const { return root_ + "/tmp"; }
  // The temporary LMDB environment of an ingest's --taxmap tables.
  std::string taxmap_scratch(uint64_t pid) const;
  std::string index_rebuild_dir() const { return root_ + "/index.rebuild"; }
  std::string index_old_dir() const { return root_ + "/index.old"; }
  // The file whose presence tells an index environment exists.
  std::string index_data_file() const { return index_dir() + "/data.mdb"; }
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
