#include "store/pack/pack_format.h"

#include <cstring>

#include "store/core/checksum.h"
#include "store/core/coding.h"

namespace talaria::store {

using core::Result;

std::string EncodePackHeader() {
  std::string h(kPackMagic, sizeof kPackMagic);
  core::PutFixed32(&h, kPackVersion);
  core::PutFixed32(&h, 0);
  return h;
}

core::Status CheckPackHeader(std::string_view bytes) {
  if (bytes.size() < kPackHeaderSize || std::memcmp(bytes.data(), kPackMagic, 8) != 0) {
    return core::Corruption("not a talaria pack (bad magic)");
  }
  uint32_t version = core::DecodeFixed32(bytes.data() + 8);
  if (version != kPackVersion) {
    return core::Unsupported("pack format version " + std::to_string(version) +
                             " is not supported by this build");
  }
  return core::OkStatus();
}

std::string EncodeRecordHeader(const RecordHeader& h) {
  std::string b;
  b.reserve(kRecordHeaderSize);
  core::PutFixed32(&b, kRecordMagic);
  b.push_back(static_cast<char>(h.kind));
  b.push_back(static_cast<char>(h.base.IsZero() ? 0
                                : h.dictionary  ? kRecordDictionary
                                                : kRecordDelta));
  b.push_back(static_cast<char>(h.depth));
  b.push_back('\0');
  b.append(h.id.view());
  b.append(h.base.view());
  core::PutFixed64(&b, h.frame_len);
  core::PutFixed64(&b, h.raw_len);
  core::PutFixed64(&b, core::Checksum64(b));
  return b;
}

Result<RecordHeader> DecodeRecordHeader(std::string_view bytes) {
  if (bytes.size() < kRecordHeaderSize) return core::Corruption("record header cut short");
  const char* p = bytes.data();
  if (core::DecodeFixed32(p) != kRecordMagic) return core::Corruption("bad record magic");
  if (core::DecodeFixed64(p + 88) != core::Checksum64(bytes.substr(0, 88))) {
    return core::Corruption("record header checksum mismatch");
  }
  RecordHeader h;
  uint8_t kind = static_cast<uint8_t>(p[4]);
  uint8_t flags = static_cast<uint8_t>(p[5]);
  if (kind > kMaxObjectKind) return core::Corruption("unknown object kind " + std::to_string(kind));
  h.kind = static_cast<ObjectKind>(kind);
  h.depth = static_cast<uint8_t>(p[6]);
  h.id = core::ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(p + 8));
  h.base = core::ObjectId::FromBytes(reinterpret_cast<const uint8_t*>(p + 40));
  h.frame_len = core::DecodeFixed64(p + 72);
  h.raw_len = core::DecodeFixed64(p + 80);
  // Exactly one of the two flags when there is a base, neither without.
  h.dictionary = flags & kRecordDictionary;
  const bool one_flag = flags == kRecordDelta || flags == kRecordDictionary;
  if (h.base.IsZero() ? flags != 0 : !one_flag) {
    return core::Corruption("record flags disagree with its base");
  }
  if (h.dictionary && h.depth != 0) return core::Corruption("dictionary record with a delta depth");
  return h;
}

}  // namespace talaria::store
