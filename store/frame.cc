#include "store/frame.h"

#include "store/core/checksum.h"
#include "store/core/coding.h"

namespace talaria::store {

using core::Result;

Result<std::string> EncodeFrame(const CodecSpec& spec, std::string_view raw,
                                std::string_view base) {
  const bool patched = !base.empty();
  TALARIA_ASSIGN_OR_RETURN(std::string stored, Compress(spec, raw, base));
  CodecType codec = spec.type;
  if (!patched && codec != CodecType::kNone && stored.size() >= raw.size()) {
    codec = CodecType::kNone;  // incompressible: keep it plain
    stored.assign(raw);
  }
  std::string frame;
  frame.reserve(kFrameHeaderSize + stored.size());
  core::PutFixed32(&frame, kFrameMagic);
  frame.push_back(static_cast<char>(codec));
  frame.push_back(static_cast<char>(patched ? kFramePatched : 0));
  frame.append(2, '\0');
  core::PutFixed64(&frame, raw.size());
  core::PutFixed64(&frame, stored.size());
  core::PutFixed64(&frame, core::Checksum64(stored));
  frame.append(stored);
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
  if (h.flags & ~kFramePatched) return core::Corruption("unknown frame flags");
  if (p[6] != 0 || p[7] != 0) return core::Corruption("frame reserved bytes are not zero");
  if (h.patched() && h.codec != CodecType::kZstd) {
    return core::Corruption("patched frame with codec " + std::string(CodecTypeName(h.codec)));
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

Result<std::string> DecodeFrame(std::string_view frame, std::string_view base) {
  TALARIA_ASSIGN_OR_RETURN(FrameHeader h, ParseFrameHeader(frame));
  std::string_view stored = frame.substr(kFrameHeaderSize);
  if (core::Checksum64(stored) != h.checksum) {
    return core::Corruption("frame checksum mismatch (stored bytes damaged)");
  }
  if (h.patched() && base.empty() && h.raw_len > 0) {
    return core::InvalidArgument("patched frame decoded without its base");
  }
  return Decompress(h.codec, stored, h.raw_len, h.patched() ? base : std::string_view{});
}

}  // namespace talaria::store
