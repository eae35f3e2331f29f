#include "fs/chunk_sequence.h"

#include <algorithm>
#include <limits>
#include <map>

#include "store/catalog/database_catalog.h"

namespace talaria::fs {

using core::Result;
using core::Status;

ChunkSequence::ChunkSequence(store::ObjectStore* store, std::string head,
                             std::vector<Object> objects)
    : store_(store), head_(std::move(head)), objects_(std::move(objects)) {
  size_ = head_.size();
}

void ChunkSequence::AddPiece(uint32_t object, uint64_t object_offset, uint64_t length) {
  if (length == 0) return;
  if (!pieces_.empty()) {
    const Piece& last = pieces_.back();
    // A run that continues the previous piece's object where it stopped.
    if (last.object == object && last.object_offset + (size_ - last.offset) == object_offset) {
      size_ += length;
      return;
    }
  }
  pieces_.push_back({size_, object, static_cast<uint32_t>(object_offset)});
  size_ += length;
}

std::shared_ptr<ChunkSequence> ChunkSequence::Concatenate(store::ObjectStore* store,
                                                          std::vector<Object> objects) {
  auto seq = std::make_shared<ChunkSequence>(store, std::string(), std::move(objects));
  for (uint32_t i = 0; i < seq->objects_.size(); i++) {
    // Pieces never merge across objects, so each whole object is one piece.
    seq->AddPiece(i, 0, seq->objects_[i].size);
  }
  return seq;
}

Result<std::shared_ptr<ChunkSequence>> ChunkSequence::FromRanges(
    store::ObjectStore* store, std::vector<Object> objects,
    const std::vector<store::ChunkRange>& ranges) {
  for (const Object& o : objects) {
    if (o.size > std::numeric_limits<uint32_t>::max()) {
      return core::Unsupported("chunk " + o.id.Hex() + " is larger than 4 GiB");
    }
  }
  auto seq = std::make_shared<ChunkSequence>(store, std::string(), std::move(objects));
  for (const store::ChunkRange& r : ranges) {
    if (r.chunk >= seq->objects_.size()) return core::InvalidArgument("range of no object");
    seq->AddPiece(r.chunk, r.offset, r.length);
  }
  seq->pieces_.shrink_to_fit();
  return seq;
}

Result<std::shared_ptr<ChunkSequence>> ChunkSequence::FromLayout(
    store::ObjectStore* store, const store::DatabaseManifest& manifest,
    const std::vector<store::ManifestChunk>& chunks, uint32_t source) {
  if (source >= manifest.sources.size()) return core::InvalidArgument("no such source");
  const store::SourceFile& file = manifest.sources[source];
  TALARIA_ASSIGN_OR_RETURN(std::vector<store::LayoutRun> runs, store::LoadLayout(*store, file));
  std::vector<Object> objects;
  std::vector<uint32_t> object_of(chunks.size(), 0);
  for (uint32_t i = 0; i < chunks.size(); i++) {
    const store::ManifestChunk& c = chunks[i];
    if (c.source != source) continue;
    if (c.bytes > std::numeric_limits<uint32_t>::max()) {
      return core::Unsupported("chunk " + c.id.Hex() + " is larger than 4 GiB");
    }
    object_of[i] = static_cast<uint32_t>(objects.size());
    objects.push_back({c.id, c.bytes, c.fai});
  }
  auto seq = std::make_shared<ChunkSequence>(store, file.preamble, std::move(objects));
  TALARIA_RETURN_IF_ERROR(store::ForEachLayoutRange(
      chunks, source, file, runs, [&](const store::ChunkRange& r) -> core::Status {
        seq->AddPiece(object_of[r.chunk], r.offset, r.length);
        return core::OkStatus();
      }));
  if (seq->size_ != file.size) {
    return core::Corruption("layout of " + file.name + " gives " + std::to_string(seq->size_) +
                            " bytes, its manifest says " + std::to_string(file.size));
  }
  seq->pieces_.shrink_to_fit();
  return seq;
}

Status ChunkSequence::Read(uint64_t offset, uint64_t length, std::string* out) const {
  if (offset >= size_) return core::OkStatus();
  length = std::min(length, size_ - offset);
  if (offset < head_.size()) {
    uint64_t take = std::min<uint64_t>(length, head_.size() - offset);
    out->append(head_, offset, take);
    offset += take;
    length -= take;
  }
  if (length == 0) return core::OkStatus();
  size_t i = PieceAt(offset);
  while (length > 0) {
    const Piece& piece = pieces_[i];
    const uint64_t piece_end = i + 1 < pieces_.size() ? pieces_[i + 1].offset : size_;
    const Object& object = objects_[piece.object];
    TALARIA_ASSIGN_OR_RETURN(auto bytes, store_->Get(object.id));
    if (bytes->size() != object.size) {
      return core::Corruption("object " + object.id.Hex() + " is " + std::to_string(bytes->size()) +
                              " bytes, its manifest says " + std::to_string(object.size));
    }
    const uint64_t within = offset - piece.offset;
    const uint64_t take = std::min(length, piece_end - offset);
    out->append(*bytes, piece.object_offset + within, take);
    offset += take;
    length -= take;
    i++;
  }
  return core::OkStatus();
}

size_t ChunkSequence::PieceAt(uint64_t offset) const {
  // The last piece starting at or before offset.
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), offset,
                             [](uint64_t off, const Piece& p) { return off < p.offset; });
  return static_cast<size_t>(it - pieces_.begin()) - 1;
}

void ChunkSequence::Prefetch(uint64_t offset, uint64_t length) const {
  constexpr size_t kMaxPieces = 1024, kMaxObjects = 16;
  offset = std::max<uint64_t>(offset, head_.size());
  if (offset >= size_ || pieces_.empty()) return;
  const uint64_t end = std::min(size_, offset + length);
  size_t objects = 0;
  uint32_t last = std::numeric_limits<uint32_t>::max();
  for (size_t i = PieceAt(offset), n = 0;
       i < pieces_.size() && pieces_[i].offset < end && n < kMaxPieces && objects < kMaxObjects;
       i++, n++) {
    if (pieces_[i].object == last) continue;
    last = pieces_[i].object;
    store_->Prefetch(objects_[last].id);
    objects++;
  }
}

Status ChunkSequence::ForEachPiece(
    const std::function<Status(const Object&, uint64_t, uint64_t, uint64_t)>& fn) const {
  for (size_t i = 0; i < pieces_.size(); i++) {
    const uint64_t end = i + 1 < pieces_.size() ? pieces_[i + 1].offset : size_;
    TALARIA_RETURN_IF_ERROR(fn(objects_[pieces_[i].object], pieces_[i].object_offset,
                               end - pieces_[i].offset, pieces_[i].offset));
  }
  return core::OkStatus();
}

uint64_t ChunkSequence::footprint() const {
  return sizeof(*this) + head_.capacity() + objects_.capacity() * sizeof(Object) +
         pieces_.capacity() * sizeof(Piece);
}

}  // namespace talaria::fs
