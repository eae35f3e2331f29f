#pragma once

// Compression codecs: none, zstd (levels 1-22), lz4 (fast, or HC levels
// 1-12), snappy. A CodecSpec is what to compress with; only its type is
// needed to decompress (it is recorded in every frame).
//
// zstd also compresses "against a prefix": the prefix (a base object's raw
// bytes) acts as a dictionary, which is how byte deltas are made
// (zstd --patch-from). The same prefix must be given to decompress.
//
// zstd can instead use a trained dictionary (zstd_dictionary.h); the same
// dictionary must be given to decompress.
//
// Thread-safe: each thread reuses its own codec contexts.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/core/status.h"

namespace talaria::store {

class ZstdDictionary;

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

// Compresses `raw`. `prefix` and `dictionary` (at most one of them) are only
// allowed with zstd (kInvalidArgument otherwise).
core::Result<std::string> Compress(const CodecSpec& spec, std::string_view raw,
                                   std::string_view prefix = {},
                                   const ZstdDictionary* dictionary = nullptr);

// The same, writing the compressed bytes into `*buf` from `offset` on (the
// buffer grows as needed, never shrinks, and is not zero-filled more than
// once, so a reused buffer costs nothing); returns their length. Not for
// kNone.
core::Result<size_t> CompressTo(const CodecSpec& spec, std::string_view raw,
                                std::string_view prefix, std::string* buf, size_t offset,
                                const ZstdDictionary* dictionary = nullptr);

// Decompresses `stored`, which must expand to exactly `raw_len` bytes;
// anything else is kCorruption.
core::Result<std::string> Decompress(CodecType type, std::string_view stored, uint64_t raw_len,
                                     std::string_view prefix = {},
                                     const ZstdDictionary* dictionary = nullptr);
// The same, into `*out` (resized to raw_len; its capacity is reused).
core::Status DecompressInto(CodecType type, std::string_view stored, uint64_t raw_len,
                            std::string_view prefix, std::string* out,
                            const ZstdDictionary* dictionary = nullptr);

// Per-codec entry points (codec_<name>.cc). The *CheckLength functions
// confirm, from the codec's own header and before any allocation, that
// `stored` can expand to `raw_len` bytes (kCorruption otherwise), so a
// damaged length never makes a reader allocate wildly.
size_t ZstdBound(size_t raw);
core::Result<size_t> ZstdCompressTo(int level, std::string_view raw, std::string_view prefix,
                                    const ZstdDictionary* dictionary, char* out, size_t capacity);
core::Status ZstdCheckLength(std::string_view stored, uint64_t raw_len);
core::Status ZstdDecompress(std::string_view stored, std::string_view prefix,
                            const ZstdDictionary* dictionary, std::string* out);
size_t Lz4Bound(size_t raw);
core::Result<size_t> Lz4CompressTo(int level, std::string_view raw, char* out, size_t capacity);
core::Status Lz4CheckLength(std::string_view stored, uint64_t raw_len);
core::Status Lz4Decompress(std::string_view stored, std::string* out);
size_t SnappyBound(size_t raw);
core::Result<size_t> SnappyCompressTo(std::string_view raw, char* out);
core::Status SnappyCheckLength(std::string_view stored, uint64_t raw_len);
core::Status SnappyDecompress(std::string_view stored, std::string* out);

}  // namespace talaria::store
