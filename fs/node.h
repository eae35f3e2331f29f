#pragma once

// What an inode of the virtual tree stands for (docs/ARCHITECTURE.md "The mount"). A node is
// identified by a key built from what determines its bytes — an object id,
// a manifest id and a taxon — so a name whose content changes (by-taxon
// files when a new version becomes current) resolves to a new node, and
// the kernel's cached pages of the old one are never served for it.
// A value type; thread-compatible.

#include <cstdint>
#include <optional>
#include <string>

#include "store/core/object_id.h"

namespace talaria::fs {

enum class NodeKind : uint8_t {
  kRoot,
  kHashDir,        // by-hash/
  kTaxonRoot,      // by-taxon/
  kDatabasesDir,   // databases/
  kReductionsDir,  // reductions/
  kMetaDir,        // .talaria/
  kStatsFile,      // .talaria/stats.json
  kObjectFile,     // by-hash/<sha256>
  kTaxonDir,       // by-taxon/<taxid>/
  kTaxonFasta,     // by-taxon/<taxid>/<db>.fasta
  kSubtreeFasta,   // by-taxon/<taxid>/<db>.subtree.fasta
  kTaxonName,      // by-taxon/<taxid>/.name
  kDatabaseDir,    // databases/<db>/
  kCurrentLink,    // databases/<db>/current
  kVersionDir,     // databases/<db>/<version>/
  kSourceFile,     // databases/<db>/<version>/<source file>
  kManifestJson,   // databases/<db>/<version>/manifest.json
  kFaidx,          // <fasta>.fai beside any FASTA above
  kProfileDir,     // reductions/<profile>/
  kProfileFile,    // reductions/<profile>/<file> (which one: `source`)
};

bool IsDirectory(NodeKind kind);

struct Node {
  NodeKind kind = NodeKind::kRoot;
  std::string key;    // identity (see above); unique per inode
  core::ObjectId id;  // the object (kObjectFile) or the manifest
  uint32_t taxon = 0;
  uint32_t source = 0;      // kSourceFile: index into the manifest's sources; kProfileFile: file
  uint64_t generation = 0;  // taxonomy generation (kSubtreeFasta, kTaxonName)
  NodeKind indexed = NodeKind::kRoot;  // kFaidx: the kind of FASTA it indexes
  std::string name;                    // database name (kDatabaseDir, kCurrentLink, ...)
  std::string version;                 // kVersionDir
  uint64_t mtime_s = 0;
  // Exact size once known (immutable for a given key).
  std::optional<uint64_t> size;
  // True when the name -> node mapping may change (short entry timeout).
  bool mutable_name = false;
};

}  // namespace talaria::fs
