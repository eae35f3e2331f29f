#pragma once

// The names the virtual tree gives its entries, and the nodes and helpers
// that resolution, contents and listings of fs/virtual_tree*.cc share.
// Internal to fs/. Constants and pure functions: thread-safe.

#include <cstdint>
#include <string_view>
#include <vector>

#include "fs/node.h"
#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/reduce/reduction_manifest.h"

namespace talaria::fs {

inline constexpr std::string_view kFastaSuffix = ".fasta";
inline constexpr std::string_view kSubtreeSuffix = ".subtree.fasta";
inline constexpr std::string_view kFaiSuffix = ".fai";
inline constexpr std::string_view kNameFile = ".name";
inline constexpr std::string_view kManifestFile = "manifest.json";
inline constexpr std::string_view kCurrentLink = "current";
// The files of reductions/<profile>/, by Node::source.
inline constexpr std::string_view kProfileFiles[] = {
    "references.fasta", "deltas.dat", "ref2children.tsv", "expanded.fasta", "manifest.json"};
enum ProfileFile : uint32_t { kReferences, kDeltas, kRefToChildren, kExpanded, kProfileManifest };

// The kNotFound error for a name that does not exist.
tl::unexpected<core::Error> NoEntry(std::string_view name);

// The sizes of the pieces a profile's generated file is made of (deltas.dat:
// one per delta chunk; ref2children.tsv and expanded.fasta: one per
// reference chunk), from its manifest alone; empty for any other file.
std::vector<uint64_t> ProfilePieceSizes(const store::ReductionManifest& m, uint32_t file);

// The node of by-hash/<id>, an object of `raw_len` bytes.
Node ObjectNode(const core::ObjectId& id, uint64_t raw_len, uint64_t mtime_s);

// The node of by-taxon/<taxid>/.
Node TaxonDirNode(uint32_t taxid, uint64_t mtime_s);

}  // namespace talaria::fs
