#pragma once

// The 64-bit checksum of stored bytes (XXH3-64): frame payloads and pack
// record headers. Detects damage, not tampering; identity is SHA-256.
// Thread-safe.

#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace talaria::core {

inline uint64_t Checksum64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

}  // namespace talaria::core
