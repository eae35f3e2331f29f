#pragma once

// The read-only tree (docs/ARCHITECTURE.md "The mount") over one store, independent of FUSE:
// lookups, attributes, directory listings, symlink targets and file
// contents, all answered from the index and the store's verified objects.
// Every answer reflects the index at the moment it is asked, so a version
// ingested while mounted shows up as soon as the kernel's short name
// timeouts expire.
//
// Errors: kNotFound for names that do not exist; kCorruption when stored
// bytes are damaged (the FUSE layer answers EIO); others as the store gives.
//
// Thread-safe.

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/content.h"
#include "fs/content_cache.h"
#include "fs/fs_stats.h"
#include "fs/inode_table.h"
#include "fs/manifest_cache.h"
#include "store/catalog/catalog_view.h"
#include "store/core/lru_cache.h"
#include "store/object/object_store.h"
#include "store/reduce/reduction_manifest.h"

namespace talaria::fs {

struct TreeOptions {
  // Bytes of file maps (chunk lists, layouts, generated files) kept for
  // files not currently open.
  uint64_t content_cache_bytes = 64ull << 20;
  size_t manifest_cache_entries = 16;
  // Timeouts the kernel may cache answers for.
  double immutable_timeout_s = 86400;  // names and attributes that never change
  double mutable_timeout_s = 1;        // names whose target may change (and misses)
};

struct Entry {
  uint64_t ino = 0;
  struct stat attr {};
  double entry_timeout_s = 0;
  double attr_timeout_s = 0;
};

struct DirEntry {
  std::string name;
  mode_t type = 0;  // S_IFDIR, S_IFREG or S_IFLNK
  // The node, when the listing's own scan gave everything its attributes
  // need (READDIRPLUS answers those without a lookup each).
  std::optional<Node> node;
};

// One opened directory's entries. Single-thread (the kernel serialises
// readdir calls on one handle).
class DirListing {
 public:
  virtual ~DirListing() = default;
  // The entry at `offset` (0 = first), or nullopt past the end.
  virtual core::Result<std::optional<DirEntry>> At(uint64_t offset) = 0;
};

class VirtualTree {
 public:
  VirtualTree(store::ObjectStore* store, const TreeOptions& options);

  // Counts one lookup of the returned inode (balanced by Forget).
  core::Result<Entry> Lookup(uint64_t parent, std::string_view name);
  // The same for a node a listing returned (READDIRPLUS).
  core::Result<Entry> LookupNode(const Node& node);
  void Forget(uint64_t ino, uint64_t nlookup) { inodes_.Forget(ino, nlookup); }
  core::Result<Entry> GetAttr(uint64_t ino);
  core::Result<std::string> ReadLink(uint64_t ino);
  // The content of a regular file; kInvalidArgument for a directory.
  core::Result<std::shared_ptr<const Content>> Open(uint64_t ino);
  core::Result<std::unique_ptr<DirListing>> OpenDir(uint64_t ino);
  // Whether the file's content may change under one inode (stats.json).
  bool IsLive(uint64_t ino) const;

  FsStats& stats() { return stats_; }
  store::ObjectStore& store() { return *store_; }
  size_t inode_count() const { return inodes_.size(); }

 private:
  core::Result<Node> Resolve(const Node& parent, std::string_view name);
  core::Result<Node> ResolveInTaxonDir(const Node& parent, std::string_view name);
  // by-taxon/<taxid> exists: a taxon of the taxonomy, or one with records in
  // the current version of a database (as ListTaxonRoot lists them).
  core::Result<bool> TaxonExists(uint32_t taxid);
  core::Result<Node> ResolveInVersionDir(const Node& parent, std::string_view name);
  core::Result<Node> ResolveInProfileDir(const Node& parent, std::string_view name);
  core::Result<std::shared_ptr<const store::ReductionManifest>> Reduction(const core::ObjectId& id);
  core::Result<std::vector<DirEntry>> List(const Node& dir);
  core::Result<std::vector<DirEntry>> ListTaxonDir(const Node& dir);
  core::Result<std::vector<DirEntry>> ListTaxonRoot();
  core::Result<std::shared_ptr<const Content>> ContentOf(const Node& node);
  core::Result<std::shared_ptr<const Content>> BuildContent(const Node& node);
  core::Result<Entry> MakeEntry(uint64_t ino, const Node& node);
  core::Result<std::string> CurrentTarget(const std::string& db);

  store::ObjectStore* const store_;
  const store::CatalogView catalog_;
  const TreeOptions options_;
  const uint64_t started_s_;
  const std::chrono::steady_clock::time_point started_;
  InodeTable inodes_;
  // Decoded reduction manifests, a few (charged 1 each).
  core::LruCache<core::ObjectId, store::ReductionManifest> reductions_{16};
  ManifestCache manifests_;
  ContentCache contents_;
  FsStats stats_;
};

}  // namespace talaria::fs
