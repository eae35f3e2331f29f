#include "store/chunker.h"

#include <algorithm>

#include "store/core/checksum.h"

namespace talaria::store {

bool Chunker::IsBoundary(std::string_view record, uint64_t chunk_bytes,
                         const ChunkingOptions& options) {
  if (chunk_bytes < options.min_chunk_bytes) return false;
  // A record ends the chunk with probability len / (target - min), so the
  // expected overshoot past min is target - min bytes whatever the records' sizes.
  uint64_t spread = options.target_chunk_bytes > options.min_chunk_bytes
                        ? options.target_chunk_bytes - options.min_chunk_bytes
                        : 1;
  constexpr uint64_t kScale = uint64_t{1} << 32;
  uint64_t h = core::Checksum64(record) % kScale;
  return h * spread < record.size() * kScale;
}

void Chunker::Add(TaxonId taxon, std::string_view record, uint64_t residues) {
  auto it = open_.find(taxon);
  if (it != open_.end() && !it->second.bytes.empty() &&
      it->second.bytes.size() + record.size() > options_.max_chunk_bytes) {
    Close(taxon);
    it = open_.end();
  }
  if (it == open_.end()) {
    ClosedChunk c;
    c.taxon = taxon;
    c.serial = next_serial_++;
    c.seq_in_taxon = next_seq_[taxon]++;
    // Room for a typical chunk up front: growing by doubling copied every
    // chunk several times over. Pages not written are never made resident.
    c.bytes.reserve(std::min(options_.max_chunk_bytes, 2 * options_.target_chunk_bytes));
    it = open_.emplace(taxon, std::move(c)).first;
  }
  ClosedChunk& c = it->second;
  c.bytes.append(record);
  c.records++;
  c.residues += residues;
  buffered_ += record.size();
  if (IsBoundary(record, c.bytes.size(), options_)) Close(taxon);
}

void Chunker::Close(TaxonId taxon) {
  auto it = open_.find(taxon);
  if (it == open_.end()) return;
  buffered_ -= it->second.bytes.size();
  ClosedChunk c = std::move(it->second);
  open_.erase(it);
  sink_(std::move(c));
}

void Chunker::Finish() {
  while (!open_.empty()) Close(open_.begin()->first);
}

}  // namespace talaria::store
