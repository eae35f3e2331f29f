#include "fs/virtual_tree.h"

#include <set>

#include "fs/tree_nodes.h"
#include "store/catalog/manifest.h"

namespace talaria::fs {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

class VectorListing final : public DirListing {
 public:
  explicit VectorListing(std::vector<DirEntry> entries) : entries_(std::move(entries)) {}
  Result<std::optional<DirEntry>> At(uint64_t offset) override {
    if (offset >= entries_.size()) return std::optional<DirEntry>();
    return std::optional<DirEntry>(entries_[offset]);
  }

 private:
  std::vector<DirEntry> entries_;
};

// by-hash/: streamed from the objects table in id order, a page at a time,
// so listing a store of any size holds one page in memory. The scan gives
// each object's size, so entries come with their nodes (READDIRPLUS).
class ObjectListing final : public DirListing {
 public:
  ObjectListing(store::ObjectStore* store, uint64_t mtime_s) : store_(store), mtime_s_(mtime_s) {}
  Result<std::optional<DirEntry>> At(uint64_t offset) override {
    if (offset < page_start_ || offset > page_start_ + page_.size() + kPage) {
      // A seek backwards or far ahead: start over from the first id.
      page_start_ = 0;
      page_.clear();
      after_.reset();
      done_ = false;
    }
    while (offset >= page_start_ + page_.size()) {
      if (done_) return std::optional<DirEntry>();
      page_start_ += page_.size();
      TALARIA_RETURN_IF_ERROR(NextPage());
      if (page_.empty()) return std::optional<DirEntry>();
    }
    const auto& [id, entry] = page_[offset - page_start_];
    return std::optional<DirEntry>(
        DirEntry{id.Hex(), S_IFREG, ObjectNode(id, entry.raw_len, mtime_s_)});
  }

 private:
  static constexpr size_t kPage = 4096;
  Status NextPage() {
    TALARIA_ASSIGN_OR_RETURN(page_, store::CatalogView(*store_).ObjectPage(after_, kPage));
    if (page_.size() < kPage) done_ = true;
    if (!page_.empty()) after_ = page_.back().first;
    return core::OkStatus();
  }

  store::ObjectStore* const store_;
  const uint64_t mtime_s_;
  std::vector<std::pair<ObjectId, store::ObjectEntry>> page_;
  uint64_t page_start_ = 0;
  std::optional<ObjectId> after_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<DirListing>> VirtualTree::OpenDir(uint64_t ino) {
  auto node = inodes_.Get(ino);
  if (!node) return core::NotFound("stale inode " + std::to_string(ino));
  if (!IsDirectory(node->kind)) return core::InvalidArgument("not a directory");
  if (node->kind == NodeKind::kHashDir) {
    return std::unique_ptr<DirListing>(std::make_unique<ObjectListing>(store_, started_s_));
  }
  TALARIA_ASSIGN_OR_RETURN(auto entries, List(*node));
  return std::unique_ptr<DirListing>(std::make_unique<VectorListing>(std::move(entries)));
}

Result<std::vector<DirEntry>> VirtualTree::List(const Node& dir) {
  std::vector<DirEntry> out;
  switch (dir.kind) {
    case NodeKind::kRoot:
      for (const char* n : {"by-hash", "by-taxon", "databases", "reductions", ".talaria"}) {
        out.push_back({n, S_IFDIR});
      }
      return out;
    case NodeKind::kMetaDir:
      out.push_back({"stats.json", S_IFREG});
      return out;
    case NodeKind::kReductionsDir: {
      TALARIA_ASSIGN_OR_RETURN(auto profiles, catalog_.Reductions());
      for (const auto& [profile, entry] : profiles) out.push_back({profile, S_IFDIR});
      return out;
    }
    case NodeKind::kProfileDir:
      for (std::string_view f : kProfileFiles) {
        out.push_back({std::string(f), S_IFREG});
        if (f == kProfileFiles[kReferences]) {
          out.push_back({std::string(f) + std::string(kFaiSuffix), S_IFREG});
        }
      }
      return out;
    case NodeKind::kTaxonRoot:
      return ListTaxonRoot();
    case NodeKind::kTaxonDir:
      return ListTaxonDir(dir);
    case NodeKind::kDatabasesDir: {
      TALARIA_ASSIGN_OR_RETURN(auto versions, catalog_.CurrentVersions());
      for (const auto& v : versions) out.push_back({v.name, S_IFDIR});
      return out;
    }
    case NodeKind::kDatabaseDir: {
      TALARIA_ASSIGN_OR_RETURN(auto versions, catalog_.Versions(dir.name));
      if (!versions.empty()) out.push_back({std::string(kCurrentLink), S_IFLNK});
      for (const auto& v : versions) out.push_back({v.version, S_IFDIR});
      return out;
    }
    case NodeKind::kVersionDir: {
      TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(dir.id));
      for (const auto& s : view->root().sources) {
        out.push_back({s.name, S_IFREG});
        out.push_back({s.name + std::string(kFaiSuffix), S_IFREG});
      }
      out.push_back({std::string(kManifestFile), S_IFREG});
      return out;
    }
    default:
      return core::InvalidArgument("not a directory");
  }
}

Result<std::vector<DirEntry>> VirtualTree::ListTaxonRoot() {
  TALARIA_ASSIGN_OR_RETURN(auto versions, catalog_.CurrentVersions());
  std::set<uint32_t> taxa;
  for (const auto& v : versions) {
    TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(v.manifest));
    TALARIA_ASSIGN_OR_RETURN(std::vector<uint32_t> listed, view->Taxa());
    taxa.insert(listed.begin(), listed.end());
  }
  std::vector<DirEntry> out;
  out.reserve(taxa.size());
  for (uint32_t t : taxa) out.push_back({std::to_string(t), S_IFDIR, TaxonDirNode(t, started_s_)});
  return out;
}

Result<std::vector<DirEntry>> VirtualTree::ListTaxonDir(const Node& dir) {
  TALARIA_ASSIGN_OR_RETURN(auto versions, catalog_.CurrentVersions());
  TALARIA_ASSIGN_OR_RETURN(auto taxon, catalog_.Taxon(dir.taxon));
  const bool in_taxonomy = taxon.has_value();
  std::vector<DirEntry> out;
  if (in_taxonomy) out.push_back({std::string(kNameFile), S_IFREG});
  for (const auto& v : versions) {
    TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(v.manifest));
    TALARIA_ASSIGN_OR_RETURN(auto bytes, view->TaxonBytes(dir.taxon));
    if (bytes) {
      out.push_back({v.name + std::string(kFastaSuffix), S_IFREG});
      out.push_back({v.name + std::string(kFastaSuffix) + std::string(kFaiSuffix), S_IFREG});
    }
    if (in_taxonomy) {
      out.push_back({v.name + std::string(kSubtreeSuffix), S_IFREG});
      out.push_back({v.name + std::string(kSubtreeSuffix) + std::string(kFaiSuffix), S_IFREG});
    }
  }
  return out;
}

}  // namespace talaria::fs
