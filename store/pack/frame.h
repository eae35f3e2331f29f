#pragma once

// The frame: how every stored payload is wrapped so it describes itself
// (docs/FORMAT.md §3). 32-byte header — magic, codec, flags, level, raw length,
// stored length, XXH3-64 of the stored bytes — then the stored bytes.
//
// A frame with kFramePatched was compressed with a base object's raw bytes
// as zstd prefix (a byte delta); decoding it needs those bytes. One with
// kFrameDictionary was compressed with a zstd dictionary (zstd_dictionary.h);
// decoding it needs that dictionary.
//
// Thread-safe (pure functions).

#include <cstdint>
#include <string>
#include <string_view>

#include "store/core/status.h"
#include "store/pack/codec.h"

namespace talaria::store {

inline constexpr uint32_t kFrameMagic = 0x31464c54;  // "TLF1" little-endian
inline constexpr size_t kFrameHeaderSize = 32;
inline constexpr uint8_t kFramePatched = 0x01;
inline constexpr uint8_t kFrameDictionary = 0x02;

struct FrameHeader {
  CodecType codec = CodecType::kNone;
  uint8_t flags = 0;
  // The level it was compressed at (0: unknown, or a codec without levels);
  // lets optimize skip objects already compressed at least that hard.
  uint8_t level = 0;
  uint64_t raw_len = 0;
  uint64_t stored_len = 0;
  uint64_t checksum = 0;

  bool patched() const { return flags & kFramePatched; }
  bool uses_dictionary() const { return flags & kFrameDictionary; }
};

// Compresses `raw` with `spec` into a frame. With a non-empty `base`, makes
// a zstd patch against it; with a `dictionary`, compresses with it (either
// needs spec zstd; not both). Otherwise a payload that does not shrink is
// stored uncompressed (codec none, no dictionary).
core::Result<std::string> EncodeFrame(const CodecSpec& spec, std::string_view raw,
                                      std::string_view base = {},
                                      const ZstdDictionary* dictionary = nullptr);

// Parses and sanity-checks the header (magic, codec, flags, and that the
// stored length matches `frame`'s size). kCorruption on any mismatch.
core::Result<FrameHeader> ParseFrameHeader(std::string_view frame);

// Checks the payload checksum and decompresses. `base` must be the base
// object's raw bytes when the frame is patched, `dictionary` its dictionary
// when it uses one (kInvalidArgument if missing). kCorruption for any damage.
core::Result<std::string> DecodeFrame(std::string_view frame, std::string_view base = {},
                                      const ZstdDictionary* dictionary = nullptr);
// The same, into `*out` (its capacity is reused).
core::Status DecodeFrameInto(std::string_view frame, std::string_view base, std::string* out,
                             const ZstdDictionary* dictionary = nullptr);

}  // namespace talaria::store
