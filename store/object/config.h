#pragma once

// Store configuration: defaults, then <store>/storage.toml, then
// environment variables, then command-line flags (applied by the caller),
// each overriding the one before (docs/FORMAT.md §1.2).
//
// storage.toml:
//   [storage] codec = "zstd:3"   max_pack_size_mb = 256   max_delta_depth = 8
//             threads = 0        repack_threshold = 0.5   dictionaries = true
//   [cache]   size_mb = 256      dir = ""
// Environment: TALARIA_CODEC, TALARIA_COMPRESSION_LEVEL, TALARIA_STORAGE_THREADS,
//   TALARIA_CACHE_SIZE_MB, TALARIA_CACHE_DIR.
// An unknown key, a value of the wrong type or out of range is an error
// that names it. Thread-safe (pure functions).

#include <cstdint>
#include <string>

#include "store/core/status.h"
#include "store/pack/codec.h"

namespace talaria::store {

struct StoreConfig {
  CodecSpec codec{CodecType::kZstd, 3};
  uint64_t max_pack_bytes = uint64_t{256} << 20;
  unsigned max_delta_depth = 8;
  unsigned threads = 0;  // 0: one per core
  double repack_threshold = 0.5;
  // Train zstd dictionaries (ingest, optimize) and compress with them.
  bool dictionaries = true;
  uint64_t cache_bytes = uint64_t{256} << 20;
  std::string cache_dir;

  // threads, with 0 resolved to the number of cores.
  unsigned effective_threads() const;
};

// Applies `path` on top of `*config`. A missing file is not an error.
core::Status ApplyConfigFile(const std::string& path, StoreConfig* config);

// Applies the TALARIA_* variables present in the environment.
core::Status ApplyEnvironment(StoreConfig* config);

// Sets the compression level of the configured codec (TALARIA_COMPRESSION_LEVEL
// and --level): zstd 1-22, lz4hc 1-12; kInvalidArgument for codecs without levels.
core::Status SetCompressionLevel(StoreConfig* config, int level, std::string_view source);

// The text of a storage.toml holding `config`, with comments.
std::string ConfigFileText(const StoreConfig& config);

}  // namespace talaria::store
