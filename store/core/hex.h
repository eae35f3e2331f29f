#pragma once

// Lower-case hexadecimal spelling of bytes. Thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "store/core/status.h"

namespace talaria::core {

std::string ToHex(std::span<const uint8_t> bytes);

// Parses exactly out.size() bytes of hex (either case). kInvalidArgument
// names the offending character or the wrong length.
Status FromHex(std::string_view hex, std::span<uint8_t> out);

}  // namespace talaria::core
