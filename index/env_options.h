#pragma once

// How an LMDB environment is opened: map sizing and creation. A plain value,
// free of LMDB, so callers above the index can set it. Thread-compatible.

#include <cstdint>

namespace talaria::index {

struct EnvOptions {
  uint64_t initial_map_bytes = uint64_t{64} << 20;
  uint64_t max_map_bytes = uint64_t{1} << 40;
  unsigned max_readers = 1022;
  // Create the directory, the environment and missing tables.
  bool create = false;
};

}  // namespace talaria::index
