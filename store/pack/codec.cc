#include "store/pack/codec.h"

#include <charconv>

namespace talaria::store {

using core::Result;
using core::Status;

std::string_view CodecTypeName(CodecType type) {
  switch (type) {
    case CodecType::kNone:
      return "none";
    case CodecType::kZstd:
      return "zstd";
    case CodecType::kLz4:
      return "lz4";
    case CodecType::kSnappy:
      return "snappy";
  }
  return "unknown";
}

Result<CodecSpec> CodecSpec::Parse(std::string_view text) {
  std::string_view name = text;
  std::string_view level_text;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    name = text.substr(0, colon);
    level_text = text.substr(colon + 1);
  }
  auto bad = [&](std::string why) {
    return core::InvalidArgument("bad codec '" + std::string(text) + "': " + why +
                                 " (use none, zstd[:1-22], lz4, lz4hc[:1-12] or snappy)");
  };
  int level = 0;
  bool has_level = !level_text.empty();
  if (has_level) {
    auto [p, ec] = std::from_chars(level_text.data(), level_text.data() + level_text.size(), level);
    if (ec != std::errc() || p != level_text.data() + level_text.size()) {
      return bad("level '" + std::string(level_text) + "' is not a number");
    }
  }
  if (name == "zstd") {
    if (!has_level) level = 3;
    if (level < 1 || level > 22) return bad("zstd levels are 1 to 22");
    return CodecSpec{CodecType::kZstd, level};
  }
  if (name == "lz4hc") {
    if (!has_level) level = 9;
    if (level < 1 || level > 12) return bad("lz4hc levels are 1 to 12");
    return CodecSpec{CodecType::kLz4, level};
  }
  if (has_level) return bad("'" + std::string(name) + "' takes no level");
  if (name == "none") return CodecSpec{CodecType::kNone, 0};
  if (name == "lz4") return CodecSpec{CodecType::kLz4, 0};
  if (name == "snappy") return CodecSpec{CodecType::kSnappy, 0};
  return bad("unknown codec");
}

std::string CodecSpec::ToString() const {
  switch (type) {
    case CodecType::kZstd:
      return "zstd:" + std::to_string(level);
    case CodecType::kLz4:
      return level == 0 ? "lz4" : "lz4hc:" + std::to_string(level);
    default:
      return std::string(CodecTypeName(type));
  }
}

Result<size_t> CompressTo(const CodecSpec& spec, std::string_view raw, std::string_view prefix,
                          std::string* buf, size_t offset, const ZstdDictionary* dictionary) {
  if ((!prefix.empty() || dictionary) && spec.type != CodecType::kZstd) {
    return core::InvalidArgument("only zstd can compress against a base object or dictionary");
  }
  if (!prefix.empty() && dictionary) {
    return core::InvalidArgument("a base object and a dictionary cannot be used together");
  }
  size_t bound = 0;
  switch (spec.type) {
    case CodecType::kZstd:
      bound = ZstdBound(raw.size());
      break;
    case CodecType::kLz4:
      bound = Lz4Bound(raw.size());
      break;
    case CodecType::kSnappy:
      bound = SnappyBound(raw.size());
      break;
    default:
      return core::InvalidArgument("CompressTo needs a compressing codec");
  }
  if (buf->size() < offset + bound) buf->resize(offset + bound);
  char* out = buf->data() + offset;
  switch (spec.type) {
    case CodecType::kZstd:
      return ZstdCompressTo(spec.level, raw, prefix, dictionary, out, bound);
    case CodecType::kLz4:
      return Lz4CompressTo(spec.level, raw, out, bound);
    default:
      return SnappyCompressTo(raw, out);
  }
}

Result<std::string> Compress(const CodecSpec& spec, std::string_view raw, std::string_view prefix,
                             const ZstdDictionary* dictionary) {
  if (spec.type == CodecType::kNone) {
    if (!prefix.empty() || dictionary)
      return core::InvalidArgument("only zstd can compress against a base object");
    return std::string(raw);
  }
  std::string buf;
  TALARIA_ASSIGN_OR_RETURN(size_t n, CompressTo(spec, raw, prefix, &buf, 0, dictionary));
  buf.resize(n);
  return buf;
}

Status DecompressInto(CodecType type, std::string_view stored, uint64_t raw_len,
                      std::string_view prefix, std::string* out, const ZstdDictionary* dictionary) {
  if ((!prefix.empty() || dictionary) && type != CodecType::kZstd) {
    return core::Corruption("codec " + std::string(CodecTypeName(type)) +
                            " cannot be a delta against a base or use a dictionary");
  }
  if (type == CodecType::kNone) {
    if (stored.size() != raw_len) {
      return core::Corruption("uncompressed payload is " + std::to_string(stored.size()) +
                              " bytes, expected " + std::to_string(raw_len));
    }
    out->assign(stored);
    return core::OkStatus();
  }
  Status st;
  switch (type) {
    case CodecType::kZstd:
      st = ZstdCheckLength(stored, raw_len);
      break;
    case CodecType::kLz4:
      st = Lz4CheckLength(stored, raw_len);
      break;
    case CodecType::kSnappy:
      st = SnappyCheckLength(stored, raw_len);
      break;
    default:
      return core::Corruption("unknown codec " + std::to_string(static_cast<int>(type)));
  }
  if (!st) return core::Propagate(st.error());
  out->resize(raw_len);
  switch (type) {
    case CodecType::kZstd:
      st = ZstdDecompress(stored, prefix, dictionary, out);
      break;
    case CodecType::kLz4:
      st = Lz4Decompress(stored, out);
      break;
    default:
      st = SnappyDecompress(stored, out);
      break;
  }
  return st;
}

Result<std::string> Decompress(CodecType type, std::string_view stored, uint64_t raw_len,
                               std::string_view prefix, const ZstdDictionary* dictionary) {
  std::string out;
  TALARIA_RETURN_IF_ERROR(DecompressInto(type, stored, raw_len, prefix, &out, dictionary));
  return out;
}

}  // namespace talaria::store
