#include <snappy.h>

#include "store/pack/codec.h"

namespace talaria::store {

size_t SnappyBound(size_t raw) { return snappy::MaxCompressedLength(raw); }

core::Result<size_t> SnappyCompressTo(std::string_view raw, char* out) {
  size_t n = 0;
  snappy::RawCompress(raw.data(), raw.size(), out, &n);
  return n;
}

core::Status SnappyCheckLength(std::string_view stored, uint64_t raw_len) {
  size_t len = 0;
  if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &len)) {
    return core::Corruption("snappy: malformed length");
  }
  if (len != raw_len) {
    return core::Corruption("snappy: payload holds " + std::to_string(len) + " bytes, expected " +
                            std::to_string(raw_len));
  }
  return core::OkStatus();
}

core::Status SnappyDecompress(std::string_view stored, std::string* out) {
  size_t len = 0;
  if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &len)) {
    return core::Corruption("snappy: malformed length");
  }
  if (len != out->size()) {
    return core::Corruption("snappy: payload holds " + std::to_string(len) + " bytes, expected " +
                            std::to_string(out->size()));
  }
  if (!snappy::RawUncompress(stored.data(), stored.size(), out->data())) {
    return core::Corruption("snappy: malformed data");
  }
  return core::OkStatus();
}

}  // namespace talaria::store
