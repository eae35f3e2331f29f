#include "fs/virtual_tree.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <numeric>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "fs/chunk_sequence.h"
#include "fs/faidx.h"
#include "fs/generated_content.h"
#include "store/catalog/manifest.h"
#include "store/reduce/reduction.h"

namespace talaria::fs {

using core::ObjectId;
using core::Result;
using core::Status;

namespace {

constexpr std::string_view kFastaSuffix = ".fasta";
constexpr std::string_view kSubtreeSuffix = ".subtree.fasta";
constexpr std::string_view kFaiSuffix = ".fai";
constexpr std::string_view kNameFile = ".name";
constexpr std::string_view kManifestFile = "manifest.json";
constexpr std::string_view kCurrentLink = "current";
// The files of reductions/<profile>/, by Node::source.
constexpr std::string_view kProfileFiles[] = {"references.fasta", "deltas.dat", "ref2children.tsv",
                                              "expanded.fasta", "manifest.json"};
enum ProfileFile : uint32_t { kReferences, kDeltas, kRefToChildren, kExpanded, kProfileManifest };

tl::unexpected<core::Error> NoEntry(std::string_view name) {
  return core::NotFound("no entry '" + std::string(name) + "'");
}

std::optional<uint32_t> ParseTaxid(std::string_view s) {
  uint32_t v = 0;
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// An entry names a FASTA of the tree when it ends in .fasta (by-taxon) or is
// a source file of a version (databases/).
bool IsFasta(NodeKind kind) {
  return kind == NodeKind::kTaxonFasta || kind == NodeKind::kSubtreeFasta ||
         kind == NodeKind::kSourceFile;
}

// The .fai node beside a FASTA node.
Node FaidxOf(Node fasta) {
  fasta.indexed = fasta.kind;
  fasta.kind = NodeKind::kFaidx;
  fasta.key = "I/" + fasta.key;
  fasta.size.reset();
  return fasta;
}

// The sizes of the pieces a profile's generated file is made of (deltas.dat:
// one per delta chunk; ref2children.tsv and expanded.fasta: one per
// reference chunk), from its manifest alone.
std::vector<uint64_t> ProfilePieceSizes(const store::ReductionManifest& m, uint32_t file) {
  std::vector<uint64_t> sizes;
  switch (file) {
    case kDeltas:
      for (const auto& d : m.delta_chunks) sizes.push_back(d.deltas_dat_bytes);
      break;
    case kRefToChildren:
      for (const auto& c : m.reference_chunks) sizes.push_back(c.ref2children_bytes);
      break;
    case kExpanded:
      for (size_t k = 0; k < m.reference_chunks.size(); k++) {
        sizes.push_back(store::ExpandedPieceSize(m, k));
      }
      break;
  }
  return sizes;
}

// The exact size of a profile's file (but manifest.json), from its manifest alone.
uint64_t ProfileFileSize(const store::ReductionManifest& m, uint32_t file) {
  if (file == kReferences) return m.statistics.reference_bytes;
  const std::vector<uint64_t> sizes = ProfilePieceSizes(m, file);
  return std::accumulate(sizes.begin(), sizes.end(), uint64_t{0});
}

Node ObjectNode(const ObjectId& id, uint64_t raw_len, uint64_t mtime_s) {
  Node n;
  n.kind = NodeKind::kObjectFile;
  n.key = "h/" + id.Hex();
  n.id = id;
  n.size = raw_len;
  n.mtime_s = mtime_s;
  return n;
}

Node TaxonDirNode(uint32_t taxid, uint64_t mtime_s) {
  Node n;
  n.kind = NodeKind::kTaxonDir;
  n.key = "T/" + std::to_string(taxid);
  n.taxon = taxid;
  n.mutable_name = true;
  n.mtime_s = mtime_s;
  return n;
}

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

VirtualTree::VirtualTree(store::ObjectStore* store, const TreeOptions& options)
    : store_(store),
      catalog_(*store),
      options_(options),
      started_s_(static_cast<uint64_t>(::time(nullptr))),
      started_(std::chrono::steady_clock::now()),
      manifests_(store, options.manifest_cache_entries),
      contents_(options.content_cache_bytes) {}

Result<std::string> VirtualTree::CurrentTarget(const std::string& db) {
  TALARIA_ASSIGN_OR_RETURN(auto current, catalog_.Current(db));
  if (!current) return NoEntry(db);
  return current->version;
}

Result<Node> VirtualTree::Resolve(const Node& parent, std::string_view name) {
  Node n;
  switch (parent.kind) {
    case NodeKind::kRoot: {
      for (NodeKind k : {NodeKind::kHashDir, NodeKind::kTaxonRoot, NodeKind::kDatabasesDir,
                         NodeKind::kReductionsDir, NodeKind::kMetaDir}) {
        auto fixed = inodes_.Get(InodeTable::FixedIno(k));
        if (fixed && fixed->key == name) return *fixed;
      }
      return NoEntry(name);
    }
    case NodeKind::kMetaDir:
      if (name == "stats.json") return *inodes_.Get(InodeTable::FixedIno(NodeKind::kStatsFile));
      return NoEntry(name);
    case NodeKind::kHashDir: {
      auto id = ObjectId::Parse(name);
      if (!id || name.size() != ObjectId::kHexSize) return NoEntry(name);
      auto info = store_->Stat(*id);
      if (!info) return core::Propagate(info.error());
      return ObjectNode(*id, info->entry.raw_len, started_s_);
    }
    case NodeKind::kTaxonRoot: {
      auto taxid = ParseTaxid(name);
      if (!taxid) return NoEntry(name);
      // A taxon of the taxonomy, or one with chunks in a registered version
      // (from the index: no manifest needs loading to answer).
      TALARIA_ASSIGN_OR_RETURN(auto node, catalog_.Taxon(*taxid));
      bool exists = node.has_value();
      if (!exists) {
        TALARIA_ASSIGN_OR_RETURN(auto chunks, catalog_.ChunksOfTaxon(*taxid));
        exists = !chunks.empty();
      }
      if (!exists) return NoEntry(name);
      return TaxonDirNode(*taxid, started_s_);
    }
    case NodeKind::kTaxonDir:
      return ResolveInTaxonDir(parent, name);
    case NodeKind::kDatabasesDir: {
      TALARIA_ASSIGN_OR_RETURN(auto target, CurrentTarget(std::string(name)));
      n.kind = NodeKind::kDatabaseDir;
      n.key = "D/" + std::string(name);
      n.name = name;
      n.mutable_name = true;
      n.mtime_s = started_s_;
      return n;
    }
    case NodeKind::kDatabaseDir: {
      if (name == kCurrentLink) {
        // Keyed by its target: a new current version is a new inode, so the
        // kernel may cache the link's text (FUSE_CAP_CACHE_SYMLINKS).
        TALARIA_ASSIGN_OR_RETURN(std::string target, CurrentTarget(parent.name));
        n.kind = NodeKind::kCurrentLink;
        n.key = "C/" + parent.name + "/" + target;
        n.name = parent.name;
        n.mutable_name = true;
        n.mtime_s = started_s_;
        return n;
      }
      TALARIA_ASSIGN_OR_RETURN(auto v, catalog_.Version(parent.name, std::string(name)));
      if (!v) return NoEntry(name);
      n.kind = NodeKind::kVersionDir;
      n.key = "V/" + v->manifest.Hex();
      n.id = v->manifest;
      n.name = parent.name;
      n.version = name;
      n.mtime_s = v->ingested_unix_s;
      return n;
    }
    case NodeKind::kVersionDir:
      return ResolveInVersionDir(parent, name);
    case NodeKind::kReductionsDir: {
      TALARIA_ASSIGN_OR_RETURN(auto entry, catalog_.Reduction(std::string(name)));
      if (!entry) return NoEntry(name);
      // Keyed by the manifest: a profile made again is a new directory.
      n.kind = NodeKind::kProfileDir;
      n.key = "P/" + entry->manifest.Hex() + "/" + std::string(name);
      n.id = entry->manifest;
      n.name = name;
      n.mutable_name = true;
      n.mtime_s = entry->created_unix_s;
      return n;
    }
    case NodeKind::kProfileDir:
      return ResolveInProfileDir(parent, name);
    default:
      return NoEntry(name);
  }
}

Result<std::shared_ptr<const store::ReductionManifest>> VirtualTree::Reduction(const ObjectId& id) {
  if (auto cached = reductions_.Lookup(id)) return cached;
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store_->Get(id));
  TALARIA_ASSIGN_OR_RETURN(store::ReductionManifest m, store::DecodeReductionManifest(*bytes));
  auto shared = std::make_shared<const store::ReductionManifest>(std::move(m));
  reductions_.Insert(id, shared, 1);
  return shared;
}

Result<Node> VirtualTree::ResolveInProfileDir(const Node& parent, std::string_view name) {
  TALARIA_ASSIGN_OR_RETURN(auto m, Reduction(parent.id));
  Node n;
  n.id = parent.id;
  n.name = parent.name;
  n.mtime_s = parent.mtime_s;
  const bool fai = name == std::string(kProfileFiles[kReferences]) + std::string(kFaiSuffix);
  std::string_view base = fai ? kProfileFiles[kReferences] : name;
  for (uint32_t f = 0; f < std::size(kProfileFiles); f++) {
    if (kProfileFiles[f] != base) continue;
    n.kind = NodeKind::kProfileFile;
    n.source = f;
    n.key = "R/" + parent.id.Hex() + "/" + std::to_string(f);
    if (f != kProfileManifest) n.size = ProfileFileSize(*m, f);
    return fai ? FaidxOf(n) : n;
  }
  return NoEntry(name);
}

Result<Node> VirtualTree::ResolveInTaxonDir(const Node& parent, std::string_view name) {
  Node n;
  n.taxon = parent.taxon;
  n.mtime_s = started_s_;
  n.mutable_name = true;
  if (EndsWith(name, kFaiSuffix)) {
    TALARIA_ASSIGN_OR_RETURN(
        Node fasta, ResolveInTaxonDir(parent, name.substr(0, name.size() - kFaiSuffix.size())));
    if (!IsFasta(fasta.kind)) return NoEntry(name);
    return FaidxOf(fasta);
  }
  TALARIA_ASSIGN_OR_RETURN(uint64_t generation, catalog_.TaxonomyGeneration());
  TALARIA_ASSIGN_OR_RETURN(auto taxon, catalog_.Taxon(parent.taxon));
  if (name == kNameFile) {
    if (!taxon) return NoEntry(name);
    n.kind = NodeKind::kTaxonName;
    n.generation = generation;
    n.key = "N/" + std::to_string(generation) + "/" + std::to_string(parent.taxon);
    return n;
  }
  std::string db;
  if (EndsWith(name, kSubtreeSuffix)) {
    if (!taxon) return NoEntry(name);
    n.kind = NodeKind::kSubtreeFasta;
    db = name.substr(0, name.size() - kSubtreeSuffix.size());
  } else if (EndsWith(name, kFastaSuffix)) {
    n.kind = NodeKind::kTaxonFasta;
    db = name.substr(0, name.size() - kFastaSuffix.size());
  } else {
    return NoEntry(name);
  }
  TALARIA_ASSIGN_OR_RETURN(auto current, catalog_.Current(db));
  if (!current) return NoEntry(name);
  n.id = current->manifest;
  n.name = db;
  if (n.kind == NodeKind::kTaxonFasta) {
    TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(current->manifest));
    if (!view->taxon_chunks.count(parent.taxon)) return NoEntry(name);
    n.key = "F/" + current->manifest.Hex() + "/" + std::to_string(parent.taxon);
  } else {
    n.generation = generation;
    n.key = "S/" + current->manifest.Hex() + "/" + std::to_string(generation) + "/" +
            std::to_string(parent.taxon);
  }
  return n;
}

Result<Node> VirtualTree::ResolveInVersionDir(const Node& parent, std::string_view name) {
  TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(parent.id));
  Node n;
  n.id = parent.id;
  n.name = parent.name;
  n.version = parent.version;
  n.mtime_s = parent.mtime_s;
  if (name == kManifestFile) {
    n.kind = NodeKind::kManifestJson;
    n.key = "J/" + parent.id.Hex();
    return n;
  }
  std::string_view base = name;
  const bool fai = EndsWith(name, kFaiSuffix);
  if (fai) base = name.substr(0, name.size() - kFaiSuffix.size());
  const auto& sources = view->manifest.sources;
  for (uint32_t i = 0; i < sources.size(); i++) {
    if (sources[i].name != base) continue;
    n.kind = NodeKind::kSourceFile;
    n.source = i;
    n.key = "X/" + parent.id.Hex() + "/" + std::to_string(i);
    n.size = sources[i].size;
    return fai ? FaidxOf(n) : n;
  }
  return NoEntry(name);
}

Result<std::shared_ptr<const Content>> VirtualTree::ContentOf(const Node& node) {
  if (auto hit = contents_.Lookup(node.key)) return hit;
  TALARIA_ASSIGN_OR_RETURN(auto content, BuildContent(node));
  contents_.Insert(node.key, content);
  return content;
}

Result<std::shared_ptr<const Content>> VirtualTree::BuildContent(const Node& node) {
  switch (node.kind) {
    case NodeKind::kStatsFile: {
      auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::steady_clock::now() - started_);
      return std::make_shared<InlineContent>(
          StatsJson(stats_, store_->cache().stats(), static_cast<uint64_t>(uptime.count())));
    }
    case NodeKind::kObjectFile:
      return ChunkSequence::Concatenate(store_, {{node.id, node.size.value_or(0)}});
    case NodeKind::kTaxonName: {
      TALARIA_ASSIGN_OR_RETURN(auto t, catalog_.Taxon(node.taxon));
      if (!t) return NoEntry(".name");
      return std::make_shared<InlineContent>(t->name + "\t" + t->rank + "\n");
    }
    case NodeKind::kTaxonFasta:
    case NodeKind::kSubtreeFasta: {
      TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(node.id));
      std::vector<ChunkSequence::Object> objects;
      if (node.kind == NodeKind::kTaxonFasta) {
        auto it = view->taxon_chunks.find(node.taxon);
        if (it != view->taxon_chunks.end()) {
          for (uint32_t i : it->second) {
            const store::ManifestChunk& c = view->manifest.chunks[i];
            objects.push_back({c.id, c.bytes, c.fai});
          }
        }
      } else {
        TALARIA_ASSIGN_OR_RETURN(std::vector<uint32_t> subtree, catalog_.Subtree(node.taxon));
        std::unordered_set<uint32_t> taxa(subtree.begin(), subtree.end());
        for (const store::ManifestChunk& c : view->manifest.chunks) {
          if (taxa.count(c.taxon)) objects.push_back({c.id, c.bytes, c.fai});
        }
      }
      return ChunkSequence::Concatenate(store_, std::move(objects));
    }
    case NodeKind::kSourceFile: {
      TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(node.id));
      TALARIA_ASSIGN_OR_RETURN(auto seq,
                               ChunkSequence::FromLayout(store_, view->manifest, node.source));
      return seq;
    }
    case NodeKind::kProfileFile: {
      TALARIA_ASSIGN_OR_RETURN(auto m, Reduction(node.id));
      store::ObjectStore* store = store_;
      switch (node.source) {
        case kReferences: {
          std::vector<ChunkSequence::Object> objects;
          for (const auto& c : m->reference_chunks) objects.push_back({c.id, c.bytes, c.fai});
          return ChunkSequence::Concatenate(store_, std::move(objects));
        }
        case kDeltas:
          return std::make_shared<GeneratedContent>(
              ProfilePieceSizes(*m, kDeltas),
              [store, m](size_t i) { return store::DeltasPiece(*store, *m, i); });
        case kRefToChildren:
          return std::make_shared<GeneratedContent>(
              ProfilePieceSizes(*m, kRefToChildren),
              [store, m](size_t i) { return store::RefToChildrenPiece(*store, *m, i); });
        case kExpanded:
          return std::make_shared<GeneratedContent>(
              ProfilePieceSizes(*m, kExpanded),
              [store, m](size_t i) { return store::ExpandedPiece(*store, *m, i); });
        default: {  // manifest.json: the manifest, with when and how long from the index
          TALARIA_ASSIGN_OR_RETURN(store::ReductionInfo info,
                                   store::LoadReduction(*store_, node.name));
          if (info.entry.manifest != node.id) {
            return core::NotFound("profile " + node.name + " has been made again");
          }
          return std::make_shared<InlineContent>(store::ManifestView(info));
        }
      }
    }
    case NodeKind::kManifestJson: {
      TALARIA_ASSIGN_OR_RETURN(auto bytes, store_->Get(node.id));
      auto json = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
      if (json.is_discarded())
        return core::Corruption("manifest " + node.id.Hex() + " is not JSON");
      return std::make_shared<InlineContent>(json.dump(2) + "\n");
    }
    case NodeKind::kFaidx: {
      Node fasta = node;
      fasta.kind = node.indexed;
      fasta.key = node.key.substr(2);
      TALARIA_ASSIGN_OR_RETURN(auto content, ContentOf(fasta));
      auto chunks = std::dynamic_pointer_cast<const ChunkSequence>(content);
      if (!chunks) return core::Unsupported("no .fai for this file");
      TALARIA_ASSIGN_OR_RETURN(std::string fai, BuildFaidx(*chunks));
      return std::make_shared<InlineContent>(std::move(fai));
    }
    default:
      return core::InvalidArgument("not a regular file");
  }
}

Result<Entry> VirtualTree::MakeEntry(uint64_t ino, const Node& node) {
  Entry e;
  e.ino = ino;
  struct stat& st = e.attr;
  st.st_ino = ino;
  st.st_uid = ::getuid();
  st.st_gid = ::getgid();
  st.st_mtime = st.st_ctime = st.st_atime =
      static_cast<time_t>(node.mtime_s ? node.mtime_s : started_s_);
  st.st_blksize = 65536;
  const double immutable = options_.immutable_timeout_s, changing = options_.mutable_timeout_s;
  e.entry_timeout_s = node.mutable_name ? changing : immutable;
  e.attr_timeout_s = immutable;
  if (IsDirectory(node.kind)) {
    st.st_mode = S_IFDIR | 0555;
    st.st_nlink = 2;
    // A directory's entries may change (new versions, new taxa).
    if (node.kind != NodeKind::kVersionDir) e.attr_timeout_s = changing;
    return e;
  }
  st.st_nlink = 1;
  if (node.kind == NodeKind::kCurrentLink) {
    TALARIA_ASSIGN_OR_RETURN(std::string target, CurrentTarget(node.name));
    st.st_mode = S_IFLNK | 0777;
    st.st_size = static_cast<off_t>(target.size());
    e.attr_timeout_s = changing;
    return e;
  }
  st.st_mode = S_IFREG | 0444;
  uint64_t size = 0;
  if (node.size && node.kind != NodeKind::kStatsFile) {
    size = *node.size;
  } else if (node.kind == NodeKind::kStatsFile) {
    TALARIA_ASSIGN_OR_RETURN(auto content, BuildContent(node));
    size = content->size();
    e.attr_timeout_s = 0;
    e.entry_timeout_s = changing;
  } else {
    TALARIA_ASSIGN_OR_RETURN(auto content, ContentOf(node));
    size = content->size();
    inodes_.SetSize(ino, size);
  }
  st.st_size = static_cast<off_t>(size);
  st.st_blocks = static_cast<blkcnt_t>((size + 511) / 512);
  return e;
}

Result<Entry> VirtualTree::Lookup(uint64_t parent_ino, std::string_view name) {
  auto parent = inodes_.Get(parent_ino);
  if (!parent) return core::NotFound("stale inode " + std::to_string(parent_ino));
  if (!IsDirectory(parent->kind)) return core::InvalidArgument("not a directory");
  TALARIA_ASSIGN_OR_RETURN(Node node, Resolve(*parent, name));
  // Attributes first: a node is interned (and counted) only when the whole
  // answer can be given.
  auto made = MakeEntry(0, node);
  if (!made && node.kind == NodeKind::kFaidx && made.error().code() == core::Code::kUnsupported) {
    return NoEntry(name);  // a FASTA the .fai format cannot describe has none
  }
  TALARIA_ASSIGN_OR_RETURN(Entry e, std::move(made));
  e.ino = inodes_.Intern(node);
  e.attr.st_ino = e.ino;
  if (!node.size && !IsDirectory(node.kind) && node.kind != NodeKind::kCurrentLink &&
      node.kind != NodeKind::kStatsFile) {
    inodes_.SetSize(e.ino, static_cast<uint64_t>(e.attr.st_size));
  }
  return e;
}

Result<Entry> VirtualTree::LookupNode(const Node& node) {
  TALARIA_ASSIGN_OR_RETURN(Entry e, MakeEntry(0, node));
  e.ino = inodes_.Intern(node);
  e.attr.st_ino = e.ino;
  return e;
}

Result<Entry> VirtualTree::GetAttr(uint64_t ino) {
  auto node = inodes_.Get(ino);
  if (!node) return core::NotFound("stale inode " + std::to_string(ino));
  return MakeEntry(ino, *node);
}

Result<std::string> VirtualTree::ReadLink(uint64_t ino) {
  auto node = inodes_.Get(ino);
  if (!node || node->kind != NodeKind::kCurrentLink) return core::InvalidArgument("not a symlink");
  return CurrentTarget(node->name);
}

Result<std::shared_ptr<const Content>> VirtualTree::Open(uint64_t ino) {
  auto node = inodes_.Get(ino);
  if (!node) return core::NotFound("stale inode " + std::to_string(ino));
  if (IsDirectory(node->kind) || node->kind == NodeKind::kCurrentLink) {
    return core::InvalidArgument("not a regular file");
  }
  if (node->kind == NodeKind::kStatsFile) return BuildContent(*node);
  return ContentOf(*node);
}

bool VirtualTree::IsLive(uint64_t ino) const {
  auto node = inodes_.Get(ino);
  return node && node->kind == NodeKind::kStatsFile;
}

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
      for (const auto& s : view->manifest.sources) {
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
    for (const auto& [taxon, chunks] : view->taxon_chunks) taxa.insert(taxon);
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
    if (view->taxon_chunks.count(dir.taxon)) {
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
