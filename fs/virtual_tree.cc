#include "fs/virtual_tree.h"

#include <unistd.h>

#include <charconv>
#include <ctime>
#include <numeric>

#include "fs/tree_nodes.h"
#include "store/catalog/manifest.h"

namespace talaria::fs {

using core::ObjectId;
using core::Result;

namespace {

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

// The exact size of a profile's file (but manifest.json), from its manifest alone.
uint64_t ProfileFileSize(const store::ReductionManifest& m, uint32_t file) {
  if (file == kReferences) return m.statistics.reference_bytes;
  const std::vector<uint64_t> sizes = ProfilePieceSizes(m, file);
  return std::accumulate(sizes.begin(), sizes.end(), uint64_t{0});
}

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
      // A taxon of the taxonomy, or one with records in a current version:
      // what the listing shows.
      TALARIA_ASSIGN_OR_RETURN(bool exists, TaxonExists(*taxid));
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

Result<bool> VirtualTree::TaxonExists(uint32_t taxid) {
  TALARIA_ASSIGN_OR_RETURN(auto taxon, catalog_.Taxon(taxid));
  if (taxon) return true;
  TALARIA_ASSIGN_OR_RETURN(auto versions, catalog_.CurrentVersions());
  for (const auto& v : versions) {
    TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(v.manifest));
    TALARIA_ASSIGN_OR_RETURN(auto bytes, view->TaxonBytes(taxid));
    if (bytes) return true;
  }
  return false;
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
    TALARIA_ASSIGN_OR_RETURN(n.size, view->TaxonBytes(parent.taxon));
    if (!n.size) return NoEntry(name);
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
  const auto& sources = view->root().sources;
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

bool VirtualTree::IsLive(uint64_t ino) const {
  auto node = inodes_.Get(ino);
  return node && node->kind == NodeKind::kStatsFile;
}

}  // namespace talaria::fs
