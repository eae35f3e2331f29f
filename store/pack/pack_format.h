#pragma once

// The pack file format (docs/FORMAT.md §2). A pack is a 16-byte file
// header followed by records; a record is a 96-byte header followed by a
// frame (frame.h). The header repeats everything the index holds about the
// object, so the index can be rebuilt from packs alone.
//
// File header: "TLPACK01" | u32 version | u32 reserved
// Record header (little-endian):
//   0 u32 magic "TREC" | 4 u8 kind | 5 u8 flags (bit 0: delta against base,
//   bit 1: compressed with dictionary base) | 6 u8 depth
//   7 u8 reserved | 8 id[32] | 40 base[32] | 72 u64 frame_len | 80 u64 raw_len
//   88 u64 XXH3-64 of bytes 0..87
// Thread-safe (pure functions).

#include <cstdint>
#include <string>
#include <string_view>

#include "store/core/object_id.h"
#include "store/core/status.h"
#include "store/pack/object_kind.h"

namespace talaria::store {

inline constexpr char kPackMagic[8] = {'T', 'L', 'P', 'A', 'C', 'K', '0', '1'};
inline constexpr uint32_t kPackVersion = 1;
inline constexpr size_t kPackHeaderSize = 16;
inline constexpr uint32_t kRecordMagic = 0x43455254;  // "TREC" little-endian
inline constexpr size_t kRecordHeaderSize = 96;
inline constexpr uint8_t kRecordDelta = 0x01;
inline constexpr uint8_t kRecordDictionary = 0x02;

struct RecordHeader {
  ObjectKind kind = ObjectKind::kBlob;
  uint8_t depth = 0;
  core::ObjectId id;
  // A delta's base, or the dictionary its frame was compressed with; zero
  // for an object that needs no other to decode.
  core::ObjectId base;
  bool dictionary = false;  // base is a dictionary (depth stays 0)
  uint64_t frame_len = 0;
  uint64_t raw_len = 0;

  bool is_delta() const { return !base.IsZero() && !dictionary; }
  uint64_t record_len() const { return kRecordHeaderSize + frame_len; }
};

std::string EncodePackHeader();
// kCorruption unless `bytes` starts with a valid pack header.
core::Status CheckPackHeader(std::string_view bytes);

std::string EncodeRecordHeader(const RecordHeader& h);
// kCorruption for a bad magic, checksum, kind or flags.
core::Result<RecordHeader> DecodeRecordHeader(std::string_view bytes);

}  // namespace talaria::store
