#pragma once

// Byte counts for people: "1.5 MiB", "312 B". Thread-safe (pure).

#include <cstdint>
#include <string>

namespace talaria::core {

std::string HumanBytes(uint64_t bytes);

}  // namespace talaria::core
