#include "store/pack/frame.h"

#include "store/core/checksum.h"
#include "store/core/coding.h"

namespace talaria::store {

using core::Result;
using core::Status;

namespace {

void WriteHeader(char* h, CodecType codec, int level, uint8_t flags, uint64_t raw_len,
                 std::string_view stored) {
  core::EncodeFixed32(h, kFrameMagic);
  h[4] = static_cast<char>(codec);
  h[5] = static_cast<char>(flags);
  h[6] = static_cast<char>(level > 0 && level < 256 ? level : 0);
  h[7] = 0;
  core::EncodeFixed64(h + 8, raw_len);
  core::EncodeFixed64(h + 16, stored.size());
  core::EncodeFixed64(h + 24, core::Checksum64(stored));
}

std::string PlainFrame(std::string_view raw) {
  std::string frame(kFrameHeaderSize, '\0');
  frame.append(raw);
  WriteHeader(frame.data(), CodecType::kNone, 0, 0, raw.size(), raw);
  return frame;
}

// Compression scratch, reused by each thread so that no object pays for
// zero-filling and faulting in fresh pages; objects too large for it use a
// buffer of their own.
constexpr size_t kMaxScratchBytes = size_t{64} << 20;

}  // namespace

Result<std::string> EncodeFrame(const CodecSpec& spec, std::string_view raw, std::string_view base,
                                const ZstdDictionary* dictionary) {
  const bool patched = !base.empty();
  if (spec.type == CodecType::kNone) {
    if (patched || dictionary) {
      return core::InvalidArgument("only zstd can compress against a base object or dictionary");
    }
    return PlainFrame(raw);
  }
  thread_local std::string scratch;
  std::string own;
  std::string* buf = raw.size() < kMaxScratchBytes ? &scratch : &own;
  TALARIA_ASSIGN_OR_RETURN(size_t n,
                           CompressTo(spec, raw, base, buf, kFrameHeaderSize, dictionary));
  if (!patched && n >= raw.size()) return PlainFrame(raw);  // incompressible: keep it plain
  std::string frame(buf->data(), kFrameHeaderSize + n);
  const bool has_levels = spec.type == CodecType::kZstd || spec.type == CodecType::kLz4;
  const uint8_t flags = patched ? kFramePatched : dictionary ? kFrameDictionary : 0;
  WriteHeader(frame.data(), spec.type, has_levels ? spec.level : 0, flags, raw.size(),
              std::string_view(frame).substr(kFrameHeaderSize));
  return frame;
}

Result<FrameHeader> ParseFrameHeader(std::string_view frame) {
  if (frame.size() < kFrameHeaderSize) {
    return core::Corruption("frame of " + std::to_string(frame.size()) +
                            " bytes is shorter than its header");
  }
  const char* p = frame.data();
  if (core::DecodeFixed32(p) != kFrameMagic) return core::Corruption("bad frame magic");
  FrameHeader h;
  uint8_t codec = static_cast<uint8_t>(p[4]);
  if (codec > kMaxCodecType) return core::Corruption("unknown codec " + std::to_string(codec));
  h.codec = static_cast<CodecType>(codec);
  h.flags = static_cast<uint8_t>(p[5]);
  if (h.flags & ~(kFramePatched | kFrameDictionary)) return core::Corruption("unknown frame flags");
  if (h.patched() && h.uses_dictionary()) {
    return core::Corruption("frame is both patched and dictionary-compressed");
  }
  // The level only guides optimize (no byte of the object depends on it);
  // still, one out of its codec's range is damage.
  h.level = static_cast<uint8_t>(p[6]);
  const uint8_t max_level = h.codec == CodecType::kZstd ? 22 : h.codec == CodecType::kLz4 ? 12 : 0;
  if (h.level > max_level) {
    return core::Corruption("frame level " + std::to_string(h.level) + " is out of range");
  }
  if (p[7] != 0) return core::Corruption("frame reserved byte is not zero");
  if ((h.patched() || h.uses_dictionary()) && h.codec != CodecType::kZstd) {
    return core::Corruption(std::string(h.patched() ? "patched" : "dictionary") +
                            " frame with codec " + std::string(CodecTypeName(h.codec)));
  }
  h.raw_len = core::DecodeFixed64(p + 8);
  h.stored_len = core::DecodeFixed64(p + 16);
  h.checksum = core::DecodeFixed64(p + 24);
  if (h.stored_len != frame.size() - kFrameHeaderSize) {
    return core::Corruption("frame says " + std::to_string(h.stored_len) + " stored bytes, has " +
                            std::to_string(frame.size() - kFrameHeaderSize));
  }
  return h;
}

Result<std::string> DecodeFrame(std::string_view frame, std::string_view base,
                                const ZstdDictionary* dictionary) {
  std::string out;
  TALARIA_RETURN_IF_ERROR(DecodeFrameInto(frame, base, &out, dictionary));
  return out;
}

Status DecodeFrameInto(std::string_view frame, std::string_view base, std::string* out,
                       const ZstdDictionary* dictionary) {
  TALARIA_ASSIGN_OR_RETURN(FrameHeader h, ParseFrameHeader(frame));
  std::string_view stored = frame.substr(kFrameHeaderSize);
  if (core::Checksum64(stored) != h.checksum) {
    return core::Corruption("frame checksum mismatch (stored bytes damaged)");
  }
  if (h.patched() && base.empty() && h.raw_len > 0) {
    return core::InvalidArgument("patched frame decoded without its base");
  }
  if (h.uses_dictionary() && !dictionary) {
    return core::InvalidArgument("dictionary frame decoded without its dictionary");
  }
  return DecompressInto(h.codec, stored, h.raw_len, h.patched() ? base : std::string_view{}, out,
                        h.uses_dictionary() ? dictionary : nullptr);
}

}  // namespace talaria::store
