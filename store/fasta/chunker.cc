#include "store/fasta/chunker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

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

Status Chunker::Add(TaxonId taxon, std::string_view record, uint64_t residues) {
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

Status Chunker::Close(TaxonId taxon) {
  auto it = open_.find(taxon);
  if (it == open_.end()) return core::OkStatus();
  Open o = std::move(it->second);
  open_.erase(it);
  buffered_ -= o.chunk.bytes.size();
  if (!o.spilled.empty()) {
    std::string whole(o.size, '\0');
    size_t at = 0;
    for (const auto& [offset, length] : o.spilled) {
      TALARIA_RETURN_IF_ERROR(
          core::PreadInto(spill_fd_.get(), offset, whole.data() + at, length, spill_path_));
      at += length;
    }
    std::copy(o.chunk.bytes.begin(), o.chunk.bytes.end(), whole.begin() + static_cast<long>(at));
    o.chunk.bytes = std::move(whole);
  }
  sink_(std::move(o.chunk));
  return core::OkStatus();
}

Status Chunker::Finish() {
  while (!open_.empty()) TALARIA_RETURN_IF_ERROR(Close(open_.begin()->first));
  return core::OkStatus();
}

}  // namespace talaria::store
