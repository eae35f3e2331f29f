#pragma once

// Times for people and files: "2026-11-30T07:58:10Z". Thread-safe (pure).

#include <cstdint>
#include <string>

namespace talaria::core {

// A Unix time in seconds as ISO 8601 UTC.
std::string Iso8601(uint64_t unix_s);

}  // namespace talaria::core
