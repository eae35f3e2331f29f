#pragma once

// A file made of pieces that are generated when read (a reduction's
// deltas.dat, ref2children.tsv and expanded.fasta): the size of every piece
// is known up front, so the file has its exact size and a read anywhere
// generates only the pieces it touches. The most recently generated pieces
// are kept, so sequential reads generate each piece once.
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fs/content.h"
#include "store/core/mutex.h"

namespace talaria::fs {

class GeneratedContent final : public Content {
 public:
  // The bytes of piece i; must be exactly sizes[i] long (else kCorruption).
  using Generator = std::function<core::Result<std::string>(size_t piece)>;

  GeneratedContent(std::vector<uint64_t> sizes, Generator generate);

  uint64_t size() const override { return offsets_.back(); }
  core::Status Read(uint64_t offset, uint64_t length, std::string* out) const override;
  uint64_t footprint() const override;

 private:
  core::Result<std::shared_ptr<const std::string>> Piece(size_t i) const;

  std::vector<uint64_t> offsets_;  // offsets_[i] = start of piece i; back() = size
  Generator generate_;
  // The pieces generated last: two slots, newest last, searched in place and
  // counted in footprint() (not a core::LruCache: it exists only so that a
  // read straddling two pieces and the next sequential read generate each
  // piece once).
  static constexpr size_t kKept = 2;
  mutable core::Mutex mu_;
  mutable std::vector<std::pair<size_t, std::shared_ptr<const std::string>>> kept_ GUARDED_BY(mu_);
};

}  // namespace talaria::fs
