#include "store/fasta/chunker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>

#include "store/core/checksum.h"
#include "store/core/file_io.h"

namespace talaria::store {

using core::Status;

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

Chunker::~Chunker() {
  spill_fd_.Reset();
  if (!spill_path_.empty()) ::unlink(spill_path_.c_str());
}

Status Chunker::Add(TaxonId taxon, std::string_view record, uint64_t residues,
                    std::span<const TaxonId> also) {
  auto it = open_.find(taxon);
  if (it != open_.end() && it->second.size > 0 &&
      it->second.size + record.size() > options_.max_chunk_bytes) {
    TALARIA_RETURN_IF_ERROR(Close(taxon));
    it = open_.end();
  }
  if (it == open_.end()) {
    Open o;
    o.chunk.taxon = taxon;
    o.chunk.serial = next_serial_++;
    o.chunk.seq_in_taxon = next_seq_[taxon]++;
    it = open_.emplace(taxon, std::move(o)).first;
  }
  Open& o = it->second;
  // Growing by doubling copies a big chunk several times over: once a chunk
  // proves big, give it room for a typical chunk at once, in a recycled
  // buffer if there is one. (Small chunks, of which there may be millions,
  // are left to grow as they go.)
  if (o.size < options_.min_chunk_bytes && o.size + record.size() >= options_.min_chunk_bytes) {
    size_t room = std::min(options_.max_chunk_bytes, 2 * options_.target_chunk_bytes);
    if (pool_) {
      std::string bytes = pool_->Take(room);
      bytes.append(o.chunk.bytes);
      o.chunk.bytes.swap(bytes);
    } else {
      o.chunk.bytes.reserve(room);
    }
  }
  for (TaxonId t : also) {
    o.chunk.pieces.push_back(TaxonPiece{t, o.size, record.size(), 1, residues, false});
  }
  if (options_.share_small_taxa && o.chunk.seq_in_taxon == 0 && o.size < options_.min_chunk_bytes) {
    o.record_sizes.push_back(
        RecordSize{record.size(), residues, static_cast<uint32_t>(also.size())});
  }
  o.chunk.bytes.append(record);
  o.size += record.size();
  o.chunk.records++;
  o.chunk.residues += residues;
  buffered_ += record.size();
  if (IsBoundary(record, o.size, options_)) return Close(taxon);
  if (!spill_.spill_dir.empty() && buffered_ > spill_.memory_budget_bytes) return Spill();
  return core::OkStatus();
}

// Moves every open chunk's in-memory bytes to the end of the scratch file.
Status Chunker::Spill() {
  if (!spill_fd_.valid()) {
    TALARIA_RETURN_IF_ERROR(core::MakeDirs(spill_.spill_dir));
    spill_path_ = spill_.spill_dir + "/chunker-" + std::to_string(::getpid()) + "-" +
                  std::to_string(reinterpret_cast<uintptr_t>(this)) + ".spill";
    TALARIA_ASSIGN_OR_RETURN(spill_fd_,
                             core::OpenFile(spill_path_, O_RDWR | O_CREAT | O_TRUNC, 0600));
  }
  for (auto& [taxon, o] : open_) {
    if (o.chunk.bytes.empty()) continue;
    TALARIA_RETURN_IF_ERROR(core::WriteAll(spill_fd_.get(), o.chunk.bytes, spill_path_));
    o.spilled.emplace_back(spill_end_, o.chunk.bytes.size());
    spill_end_ += o.chunk.bytes.size();
    spilled_total_ += o.chunk.bytes.size();
    std::string().swap(o.chunk.bytes);  // give the memory back
  }
  buffered_ = 0;
  return core::OkStatus();
}

Status Chunker::Gather(Open* o) {
  buffered_ -= o->chunk.bytes.size();
  if (o->spilled.empty()) return core::OkStatus();
  std::string whole(o->size, '\0');
  size_t at = 0;
  for (const auto& [offset, length] : o->spilled) {
    TALARIA_RETURN_IF_ERROR(
        core::PreadInto(spill_fd_.get(), offset, whole.data() + at, length, spill_path_));
    at += length;
  }
  std::copy(o->chunk.bytes.begin(), o->chunk.bytes.end(), whole.begin() + static_cast<long>(at));
  o->chunk.bytes = std::move(whole);
  o->spilled.clear();
  return core::OkStatus();
}

Status Chunker::Close(TaxonId taxon) {
  auto it = open_.find(taxon);
  if (it == open_.end()) return core::OkStatus();
  Open o = std::move(it->second);
  open_.erase(it);
  TALARIA_RETURN_IF_ERROR(Gather(&o));
  ClosedChunk& c = o.chunk;
  c.pieces.insert(c.pieces.begin(), TaxonPiece{taxon, 0, o.size, c.records, c.residues, true});
  sink_(std::move(c));
  return core::OkStatus();
}

Status Chunker::Finish() {
  std::vector<TaxonId> small;
  for (const auto& [taxon, o] : open_) {
    if (options_.share_small_taxa && o.chunk.seq_in_taxon == 0 &&
        o.size < options_.min_chunk_bytes) {
      small.push_back(taxon);
    }
  }
  for (auto it = open_.begin(); it != open_.end();) {
    const TaxonId taxon = it->first;
    ++it;
    if (!std::binary_search(small.begin(), small.end(), taxon)) {
      TALARIA_RETURN_IF_ERROR(Close(taxon));
    }
  }
  return CutSharedStream(std::move(small));
}

Status Chunker::CutSharedStream(std::vector<TaxonId> small) {
  if (small.empty()) return core::OkStatus();
  std::vector<TaxonId> order = order_ ? order_(small) : small;
  {
    std::vector<TaxonId> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != small)
      return core::InvalidArgument("shared-stream order is not a permutation of the small taxa");
  }
  ClosedChunk cur;
  uint64_t seq = 0;
  size_t primary = 0;  // index in cur.pieces of the open primary piece
  auto start = [&] {
    cur = ClosedChunk{};
    cur.taxon = kSharedStream;
    cur.serial = next_serial_++;
    cur.seq_in_taxon = seq++;
    if (pool_)
      cur.bytes = pool_->Take(std::min(options_.max_chunk_bytes, 2 * options_.target_chunk_bytes));
  };
  auto emit = [&] {
    if (!cur.bytes.empty()) sink_(std::move(cur));
    start();
  };
  start();
  for (TaxonId taxon : order) {
    auto it = open_.find(taxon);
    Open o = std::move(it->second);
    open_.erase(it);
    TALARIA_RETURN_IF_ERROR(Gather(&o));
    std::string_view bytes = o.chunk.bytes;
    size_t secondary = 0;  // next of o.chunk.pieces (all secondary, by offset)
    bool fresh = true;     // the taxon has no piece in `cur` yet
    uint64_t at = 0;
    for (const RecordSize& r : o.record_sizes) {
      std::string_view record = bytes.substr(at, r.length);
      if (!cur.bytes.empty() && cur.bytes.size() + r.length > options_.max_chunk_bytes) {
        emit();
        fresh = true;
      }
      const uint64_t offset = cur.bytes.size();
      if (fresh) {
        primary = cur.pieces.size();
        cur.pieces.push_back(TaxonPiece{taxon, offset, 0, 0, 0, true});
        fresh = false;
      }
      TaxonPiece& p = cur.pieces[primary];
      p.length += r.length;
      p.records++;
      p.residues += r.residues;
      for (uint32_t k = 0; k < r.also; ++k) {
        TaxonPiece s = o.chunk.pieces[secondary++];
        s.offset = offset;
        cur.pieces.push_back(s);
      }
      cur.bytes.append(record);
      cur.records++;
      cur.residues += r.residues;
      at += r.length;
      if (IsBoundary(record, cur.bytes.size(), options_)) {
        emit();
        fresh = true;
      }
    }
    assert(at == o.size && secondary == o.chunk.pieces.size());
  }
  emit();
  return core::OkStatus();
}

}  // namespace talaria::store
