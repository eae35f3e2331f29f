#include <lz4.h>
#include <lz4hc.h>

#include <climits>

#include "store/pack/codec.h"

namespace talaria::store {

size_t Lz4Bound(size_t raw) {
  return raw > LZ4_MAX_INPUT_SIZE ? 0
                                  : static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw)));
}

core::Result<size_t> Lz4CompressTo(int level, std::string_view raw, char* out, size_t capacity) {
  if (raw.size() > LZ4_MAX_INPUT_SIZE) {
    return core::InvalidArgument("lz4 cannot compress objects over " +
                                 std::to_string(LZ4_MAX_INPUT_SIZE) + " bytes; use zstd");
  }
  int src = static_cast<int>(raw.size());
  int cap = static_cast<int>(capacity);
  int n = level == 0 ? LZ4_compress_default(raw.data(), out, src, cap)
                     : LZ4_compress_HC(raw.data(), out, src, cap, level);
  if (n <= 0 && src > 0) return core::IoError("lz4 compression failed");
  return static_cast<size_t>(n);
}

core::Status Lz4CheckLength(std::string_view stored, uint64_t raw_len) {
  // LZ4 cannot expand data by more than 255:1 (one literal-length byte per 255).
  if (raw_len > static_cast<uint64_t>(stored.size()) * 255 + 64 || raw_len > INT_MAX) {
    return core::Corruption("lz4: " + std::to_string(stored.size()) + " bytes cannot expand to " +
                            std::to_string(raw_len));
  }
  return core::OkStatus();
}

core::Status Lz4Decompress(std::string_view stored, std::string* out) {
  if (stored.size() > INT_MAX || out->size() > INT_MAX) {
    return core::Corruption("lz4 payload larger than lz4 allows");
  }
  int n = LZ4_decompress_safe(stored.data(), out->data(), static_cast<int>(stored.size()),
                              static_cast<int>(out->size()));
  if (n < 0) return core::Corruption("lz4: malformed data");
  if (static_cast<size_t>(n) != out->size()) {
    return core::Corruption("lz4: decoded " + std::to_string(n) + " bytes, expected " +
                            std::to_string(out->size()));
  }
  return core::OkStatus();
}

}  // namespace talaria::store
