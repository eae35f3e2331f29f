#include "store/core/hex.h"

namespace talaria::core {

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

Status FromHex(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) {
    return InvalidArgument("'" + std::string(hex) + "' is not " + std::to_string(out.size() * 2) +
                           " hex digits (it has " + std::to_string(hex.size()) + " characters)");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = hi < 0 ? 2 * i : 2 * i + 1;
      return InvalidArgument("'" + std::string(hex) + "' is not hex: character " +
                             std::to_string(bad + 1) + " is '" + hex[bad] + "'");
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return OkStatus();
}

}  // namespace talaria::core
