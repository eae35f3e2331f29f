#pragma once

// A virtual file made of pieces of stored objects: a head string (a source
// file's preamble) followed by byte ranges of objects, in order. by-taxon
// files are a taxon's ranges of chunks one after another (whole chunks of
// its own, its pieces of shared ones); a database source file is its
// layout's runs, each a range of one chunk. Reads find the first piece by
// binary search and copy from the objects through the store's cache, so
// any offset costs one lookup plus the objects it touches.
//
// Thread-safe (immutable after Build; the store is thread-safe).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fs/content.h"
#include "store/catalog/manifest.h"
#include "store/core/object_id.h"
#include "store/object/object_store.h"

namespace talaria::fs {

class ChunkSequence final : public Content {
 public:
  struct Object {
    core::ObjectId id;
    uint64_t size = 0;   // as the manifest records it; checked on every read
    core::ObjectId fai;  // its FASTA record index, if the manifest has one
  };

  // Whole objects, one after another.
  static std::shared_ptr<ChunkSequence> Concatenate(store::ObjectStore* store,
                                                    std::vector<Object> objects);
  // Ranges of `objects` (ChunkRange::chunk indexes it), one after another
  // (a by-taxon file).
  static core::Result<std::shared_ptr<ChunkSequence>> FromRanges(
      store::ObjectStore* store, std::vector<Object> objects,
      const std::vector<store::ChunkRange>& ranges);
  // Source file `source` of a manifest whose root is `manifest` and whose
  // chunk rows are `chunks`, byte for byte, from its layout. kCorruption
  // when the layout does not fit the chunks.
  static core::Result<std::shared_ptr<ChunkSequence>> FromLayout(
      store::ObjectStore* store, const store::DatabaseManifest& manifest,
      const std::vector<store::ManifestChunk>& chunks, uint32_t source);

  uint64_t size() const override { return size_; }
  core::Status Read(uint64_t offset, uint64_t length, std::string* out) const override;
  uint64_t footprint() const override;
  void Prefetch(uint64_t offset, uint64_t length) const override;

  // The pieces in file order: `length` bytes of `object` from
  // `object_offset`, at `file_offset` in the file. Stops at fn's first error.
  core::Status ForEachPiece(
      const std::function<core::Status(const Object& object, uint64_t object_offset,
                                       uint64_t length, uint64_t file_offset)>& fn) const;
  store::ObjectStore& store() const { return *store_; }

  // Use the factories; public only for std::make_shared.
  ChunkSequence(store::ObjectStore* store, std::string head, std::vector<Object> objects);

 private:
  struct Piece {
    uint64_t offset;         // in the file
    uint32_t object;         // index into objects_
    uint32_t object_offset;  // where the piece starts in that object
  };
  void AddPiece(uint32_t object, uint64_t object_offset, uint64_t length);
  // Index of the piece holding `offset` (which must be past the head).
  size_t PieceAt(uint64_t offset) const;

  store::ObjectStore* const store_;
  const std::string head_;
  const std::vector<Object> objects_;
  std::vector<Piece> pieces_;  // a piece ends where the next begins (or at size_)
  uint64_t size_ = 0;
};

}  // namespace talaria::fs
