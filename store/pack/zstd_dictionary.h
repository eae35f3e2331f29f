#pragma once

// zstd dictionaries (docs/FORMAT.md §3.5): trained from samples of the
// store's own objects, stored as objects of kind `dictionary`, and named by
// the records whose frames were compressed with them.
//
// A ZstdDictionary holds the dictionary's bytes and the tables zstd prepares
// from them (one for decompression, one per compression level, each built on
// first use). Thread-safe.

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "store/core/mutex.h"
#include "store/core/status.h"

struct ZSTD_CDict_s;
struct ZSTD_DDict_s;

namespace talaria::store {

class ZstdDictionary {
 public:
  explicit ZstdDictionary(std::string bytes);
  ~ZstdDictionary();
  ZstdDictionary(const ZstdDictionary&) = delete;
  ZstdDictionary& operator=(const ZstdDictionary&) = delete;

  std::string_view bytes() const { return bytes_; }
  // Prepared tables; nullptr only when zstd cannot allocate them.
  const ZSTD_CDict_s* ForCompression(int level) const;
  const ZSTD_DDict_s* ForDecompression() const;

 private:
  struct CDictFree {
    void operator()(ZSTD_CDict_s* d) const;
  };
  struct DDictFree {
    void operator()(ZSTD_DDict_s* d) const;
  };
  const std::string bytes_;
  mutable core::Mutex mu_;
  mutable std::array<std::unique_ptr<ZSTD_CDict_s, CDictFree>, 23> cdicts_ GUARDED_BY(mu_);
  mutable std::unique_ptr<ZSTD_DDict_s, DDictFree> ddict_ GUARDED_BY(mu_);
};

// Trains a dictionary of at most `max_bytes` from `samples` (zstd's
// fastCover). kInvalidArgument when the samples are too few or too small
// to learn from.
core::Result<std::string> TrainZstdDictionary(std::span<const std::string_view> samples,
                                              size_t max_bytes);

}  // namespace talaria::store
