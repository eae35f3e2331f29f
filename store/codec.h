#pragma once

// Compression codecs: none, zstd (levels 1-22), lz4 (fast, or HC levels
// 1-12), snappy. A CodecSpec is what to compress with; only its type is
// needed to decompress (it is recorded in every frame).
//
// zstd also compresses "against a prefix": the prefix (a base object's raw
// bytes) acts as a dictionary, which is how byte deltas are made
// (zstd --patch-from). The same prefix must be given to decompress.
//
// Thread-safe: each thread reuses its own codec contexts.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/core/status.h"

namespace talaria::store {

enum class CodecType : uint8_t { kNone = 0, kZstd = 1, kLz4 = 2, kSnappy = 3 };
inline constexpr uint8_t kMaxCodecType = 3;

struct CodecSpec {
  CodecType type = CodecType::kZstd;
  // zstd: 1..22. lz4: 0 = fast, 1..12 = HC level. Ignored otherwise.
  int level = 3;

  // "none", "zstd", "zstd:19", "lz4", "lz4hc", "lz4hc:12", "snappy".
  static core::Result<CodecSpec> Parse(std::string_view text);
  std::string ToString() const;
  bool operator==(const CodecSpec&) const = default;
};

std::string_view CodecTypeName(CodecType type);

// Compresses `raw`. `prefix` is only allowed with zstd (kInvalidArgument
// otherwise).
core::Result<std::string> Compress(const CodecSpec& spec, std::string_view raw,
                                   std::string_view prefix = {});

// Decompresses `stored`, which must expand to exactly `raw_len` bytes;
// anything else is kCorruption.
core::Result<std::string> Decompress(CodecType type, std::string_view stored, uint64_t raw_len,
                                     std::string_view prefix = {});

// Per-codec entry points (codec_<name>.cc). The *CheckLength functions
// confirm, from the codec's own header and before any allocation, that
// `stored` can expand to `raw_len` bytes (kCorruption otherwise), so a
// damaged length never makes a reader allocate wildly.
core::Result<std::string> ZstdCompress(int level, std::string_view raw, std::string_view prefix);
core::Status ZstdCheckLength(std::string_view stored, uint64_t raw_len);
core::Status ZstdDecompress(std::string_view stored, std::string_view prefix, std::string* out);
core::Result<std::string> Lz4Compress(int level, std::string_view raw);
core::Status Lz4CheckLength(std::string_view stored, uint64_t raw_len);
core::Status Lz4Decompress(std::string_view stored, std::string* out);
core::Result<std::string> SnappyCompress(std::string_view raw);
core::Status SnappyCheckLength(std::string_view stored, uint64_t raw_len);
core::Status SnappyDecompress(std::string_view stored, std::string* out);

}  // namespace talaria::store
