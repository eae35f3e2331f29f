#pragma once

// Reductions of a database version (docs/ARCHITECTURE.md "Reductions"): reduce one into a
// profile, register it, list, load, remove it, and give back its files —
// references.fasta, deltas.dat, ref2children.tsv, expanded.fasta — in
// pieces. Every child is rebuilt from its delta and checked against its
// SHA-256 before the profile is registered, and again whenever it is read.
//
// Thread-safe (as the ObjectStore); reducing needs a writable store.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/entries.h"
#include "store/fasta/chunker.h"
#include "store/fasta/record_id.h"
#include "store/object/writable_store.h"
#include "store/reduce/delta_record.h"
#include "store/reduce/reducer.h"
#include "store/reduce/reduction_manifest.h"

namespace talaria::index {
class WriteTxn;
}  // namespace talaria::index

namespace talaria::store {

struct ReduceOptions {
  std::string database;  // NAME (its current version) or NAME/VERSION
  std::string profile;
  ReductionParameters parameters;
  unsigned threads = 1;
  ChunkingOptions chunking;                          // of the reference chunks
  std::function<void(const std::string&)> progress;  // the step under way
  // How many of the version's sequences are assigned so far, of how many;
  // calls are serialised.
  std::function<void(uint64_t done, uint64_t total)> sequences;
};

struct ReduceResult {
  core::ObjectId manifest_id;
  ReductionManifest manifest;
  ReduceStats stats;
  uint64_t windows = 0;  // source windows reduced one after another
  uint64_t elapsed_ms = 0;
  bool unchanged = false;  // the profile already held exactly this reduction
};

// Reduces the version one window at a time (ReductionParameters::
// window_bytes), storing each window's chunks before reading the next, and
// registers the profile at the end in one commit; progress is saved in the
// state table, so the same call after a crash goes on from there. The
// result does not depend on `threads`.
// kInvalidArgument for a bad profile name or parameters (a rank without a
// taxonomy tree, or that no lineage has), kNotFound for an unknown
// database, kInvalidArgument too when the profile exists with another
// reduction (remove it first).
core::Result<ReduceResult> ReduceDatabase(WritableStore& store, const ReduceOptions& options);

// A profile from files: references.fasta and deltas.dat (as exported, or
// written by another tool in the same grammar) of a version the store
// holds. Every record of the version must be a reference (byte for byte) or
// a child whose #sha256 is its record's; every child is rebuilt and checked.
// With ref2children, that file must agree with deltas.dat. kParse names the
// file and line of anything malformed or unknown. No parameters are
// recorded (the profile's manifest says neither ratio nor identity). The
// version is held in memory whole.
struct ImportOptions {
  std::string database;  // NAME (its current version) or NAME/VERSION
  std::string profile;
  std::string references, deltas, ref2children;  // paths; ref2children optional
  ChunkingOptions chunking;
  std::function<void(const std::string&)> progress;
};
core::Result<ReduceResult> ImportReduction(WritableStore& store, const ImportOptions& options);

struct ReductionInfo {
  std::string profile;
  index::ReductionEntry entry;
  ReductionManifest manifest;
};
// kNotFound names the profile.
core::Result<ReductionInfo> LoadReduction(ObjectStore& store, const std::string& profile);
core::Result<std::vector<ReductionInfo>> ListReductions(ObjectStore& store);
// A profile's manifest.json as the mount serves it and export writes it: the
// manifest object's JSON plus what the index knows of the run — "created"
// (ISO 8601) and statistics.elapsed_ms. (The object itself holds no clock
// time, so the same reduction, or a resumed one, is the same object.)
std::string ManifestView(const ReductionInfo& info);
// Unregisters the profile; its objects stay until gc. kNotFound if absent.
core::Status RemoveReduction(WritableStore& store, const std::string& profile);

// The ids in each of a profile's delta chunks: what its index entries are
// made of (a few dozen bytes per child, whatever the sequences' length).
struct DeltaChunkIds {
  core::ObjectId chunk;
  std::vector<std::string> children;
  std::vector<std::string> references;  // of those children, each once
};
using ProfileIds = std::vector<DeltaChunkIds>;
DeltaChunkIds IdsOf(const core::ObjectId& chunk, std::span<const DeltaRecord> records);
core::Result<ProfileIds> LoadProfileIds(ObjectStore& store, const ReductionManifest& m);
// Writes a profile's entries — the profile, and its children and references
// by id — into the index, inside `txn` (index rebuild uses this too).
core::Status IndexReduction(WritableStore& store, index::WriteTxn& txn, const std::string& profile,
                            const index::ReductionEntry& entry, const ProfileIds& ids);

// The objects a profile needs: its manifest, reference chunks and their
// record indexes, delta chunks (gc roots).
std::vector<core::ObjectId> ReductionObjects(const core::ObjectId& manifest_id,
                                             const ReductionManifest& m);

// The files of a profile are made of pieces of known size, so a reader can
// start anywhere: references.fasta and expanded.fasta and ref2children.tsv
// have one piece per reference chunk, deltas.dat one per delta chunk.
// Each returns exactly the size the manifest gives (kCorruption otherwise).
core::Result<std::string> DeltasPiece(ObjectStore& store, const ReductionManifest& m,
                                      size_t delta_chunk);
core::Result<std::string> RefToChildrenPiece(ObjectStore& store, const ReductionManifest& m,
                                             size_t reference_chunk);
core::Result<std::string> ExpandedPiece(ObjectStore& store, const ReductionManifest& m,
                                        size_t reference_chunk);
// Piece sizes, from the manifest alone.
uint64_t ExpandedPieceSize(const ReductionManifest& m, size_t reference_chunk);

// The files of a profile, written in pieces to `out`.
using Sink = std::function<core::Status(std::string_view)>;
core::Status ExportReferences(ObjectStore& store, const ReductionManifest& m, const Sink& out);
core::Status ExportDeltas(ObjectStore& store, const ReductionManifest& m, const Sink& out);
core::Status ExportRefToChildren(ObjectStore& store, const ReductionManifest& m, const Sink& out);
// Every sequence of the source: each reference followed by its children,
// rebuilt (and checked) as they are written.
core::Status ExportExpanded(ObjectStore& store, const ReductionManifest& m, const Sink& out);

// The records of a FASTA text made of whole records (a chunk's bytes).
std::vector<std::string_view> SplitRecords(std::string_view text);

}  // namespace talaria::store
